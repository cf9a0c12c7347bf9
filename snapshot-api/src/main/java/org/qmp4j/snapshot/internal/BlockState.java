package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonFields;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpSchema;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM's block layer at one moment: {@code query-block} (the disks), the flat
 * {@code query-named-block-nodes} list, and the block graph when this QEMU has one. Everything
 * the snapshot API derives from them (disks, chains, a node's file child, the jobs on a disk) is
 * computed here from that one reading, so the answers agree with each other.
 */
final class BlockState {
    private static final Logger LOG = LoggerFactory.getLogger(BlockState.class);
    static final String GRAPH_COMMAND = "x-debug-query-block-graph";
    /** Filters stacked on a node are few; this only bounds a walk through a broken graph. */
    private static final int MAX_FILTERS = 8;

    private final List<BlockInfo> devices;
    private final Map<String, BlockNodeInfo> nodes;
    private final BlockGraph graph;

    private BlockState(List<BlockInfo> devices, List<BlockNodeInfo> nodes, BlockGraph graph) {
        this.devices = List.copyOf(devices);
        Map<String, BlockNodeInfo> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.putIfAbsent(n.nodeName(), n));
        this.nodes = byName;
        this.graph = graph;
    }

    /** Builds the state from the commands' return values; {@code graph} may be {@code null}. */
    static BlockState of(JsonNode queryBlock, JsonNode namedNodes, JsonNode graph) {
        return new BlockState(
                Json.decode("query-block", queryBlock, r -> JsonFields.elements(r, BlockInfo::from)),
                Json.decode("query-named-block-nodes", namedNodes, r -> JsonFields.elements(r, BlockNodeInfo::from)),
                graph == null ? null : BlockGraph.parse(graph));
    }

    /** Reads the state now; the graph only when asked for and when this QEMU offers it. */
    static BlockState read(QmpClient qmp, boolean withGraph) {
        QmpSchema schema = qmp.schema();
        // sent together, awaited in turn: one wait instead of three
        CompletableFuture<JsonNode> blockReply = qmp.executeAsync("query-block");
        // flat: leave out the nested backing images, we only need each node once
        CompletableFuture<JsonNode> namedReply = schema.hasArgument("query-named-block-nodes", "flat")
                ? qmp.executeAsync("query-named-block-nodes", Map.of("flat", true))
                : qmp.executeAsync("query-named-block-nodes");
        CompletableFuture<JsonNode> fdSets = qmp.executeAsync("query-fdsets");
        JsonNode block = Blocking.await(blockReply);
        JsonNode named = Blocking.await(namedReply);
        if (FdSets.mentionsFdSet(block) || FdSets.mentionsFdSet(named)) {
            // overlays qmp4j passed as descriptors: read them by their files' names
            Map<Long, String> paths = FdSets.ours(Blocking.await(fdSets));
            FdSets.rename(block, paths);
            FdSets.rename(named, paths);
        }
        // A top image with a name QEMU gave up on is found through its file child: in the graph.
        return of(block, named, withGraph || topNameUnreadable(block) ? readGraph(qmp, schema) : null);
    }

    /**
     * The state that {@code query-block} alone gives ({@code block}, with the fd sets' reply
     * {@code fdSets} read alongside for the names it uses): every disk and the images of its
     * chain, without the node list and the graph, which a deep chain makes the largest replies.
     * Enough for a snapshot's preflight, which needs each disk and the bottom image of its chain
     * ({@link #bottomImage}); node names below the top are unknown in such a state. Where QEMU
     * cut a name that is needed short, the full state is read instead.
     */
    static BlockState devicesOf(QmpClient qmp, JsonNode block, CompletableFuture<JsonNode> fdSets) {
        if (FdSets.mentionsFdSet(block)) {
            FdSets.rename(block, FdSets.ours(Blocking.await(fdSets)));
        }
        BlockState devices = of(block, JsonTrees.array(), null);
        return devices.chainEndCutShort() ? read(qmp, true) : devices;
    }

    private static boolean topNameUnreadable(JsonNode queryBlock) {
        for (JsonNode device : queryBlock) {
            if (ImageInfo.unreadable(device.path("inserted").path("image").path("filename").asText(null))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a disk's top or bottom image has a name QEMU cut short: only the graph knows its file. */
    private boolean chainEndCutShort() {
        for (BlockInfo d : devices) {
            ImageInfo top = d.inserted() == null ? null : d.inserted().image();
            if (top != null && (ImageInfo.unreadable(top.filename()) || ImageInfo.unreadable(bottomOf(top).filename()))) {
                return true;
            }
        }
        return false;
    }

    /** The last image of the chain that starts at {@code image}. */
    private static ImageInfo bottomOf(ImageInfo image) {
        ImageInfo bottom = image;
        while (bottom.backingImage() != null) {
            bottom = bottom.backingImage();
        }
        return bottom;
    }

    private static JsonNode readGraph(QmpClient qmp, QmpSchema schema) {
        if (!schema.hasCommand(GRAPH_COMMAND)) {
            return null;
        }
        try {
            return qmp.execute(GRAPH_COMMAND);
        } catch (CommandException e) {
            // e.g. refused by -compat unstable-input=reject: match by file name instead
            LOG.debug("{} refused, matching nodes by file name: {}", GRAPH_COMMAND, e.getMessage());
            return null;
        }
    }

    /** Whether links between nodes come from the block graph (exact) rather than file names. */
    boolean hasGraph() {
        return graph != null;
    }

    // ---- disks

    /** Every block device, in {@code query-block} order. */
    List<BlockDisk> disks() {
        return devices.stream().map(this::disk).toList();
    }

    /**
     * Whether {@code device} is {@code disk}: the same device, qdev and top node. (Not the
     * record's equals: the first record equals of a JVM bootstraps method handles, which a
     * short-lived CLI measurably pays.)
     */
    private static boolean isDisk(BlockInfo device, BlockDisk disk) {
        BlockNodeInfo top = device.inserted();
        return Objects.requireNonNullElse(device.device(), "").equals(disk.device())
                && Objects.requireNonNullElse(device.qdev(), "").equals(disk.qdev())
                && Objects.equals(top == null ? null : top.nodeName(), disk.node());
    }

    private BlockDisk disk(BlockInfo info) {
        String device = Objects.requireNonNullElse(info.device(), "");
        String qdev = Objects.requireNonNullElse(info.qdev(), "");
        BlockNodeInfo top = info.inserted();
        if (top == null || top.image() == null) {
            return new BlockDisk(device, qdev, top == null ? null : top.nodeName(), null,
                    top == null ? null : top.drv(), 0, 0, top != null && top.ro(), info.removable(), 0);
        }
        ImageInfo image = top.image();
        return new BlockDisk(device, qdev, top.nodeName(), Path.of(imagePath(top.nodeName(), image)), top.drv(),
                image.virtualSize(), clusterSize(top), top.ro(), info.removable(), top.backingFileDepth());
    }

    private long clusterSize(BlockNodeInfo top) {
        Long size = top.image().clusterSize();
        if (size == null) {
            BlockNodeInfo named = nodes.get(top.nodeName());
            size = named == null || named.image() == null ? null : named.image().clusterSize();
        }
        return size == null ? 0 : size;
    }

    /** The disks that {@code name} names (device name, qdev id or path, node name). */
    List<BlockDisk> matching(String name) {
        return disks().stream().filter(d -> d.matches(name)).toList();
    }

    /** The same device as {@code disk} in this (later) state: by device name, else by qdev. */
    Optional<BlockDisk> sameDevice(BlockDisk disk) {
        return disks().stream()
                .filter(d -> disk.device().isEmpty() ? d.qdev().equals(disk.qdev()) : d.device().equals(disk.device()))
                .findFirst();
    }

    /**
     * The image at the bottom of {@code disk}'s chain (its base; the disk's own image when it
     * has no backing file), which must be one of this state's disks with an image.
     */
    Path bottomImage(BlockDisk disk) {
        for (BlockInfo d : devices) {
            if (d.inserted() != null && d.inserted().image() != null && isDisk(d, disk)) {
                ImageInfo bottom = bottomOf(d.inserted().image());
                if (graph == null || !ImageInfo.unreadable(bottom.filename())) {
                    return Path.of(bottom.path());
                }
                List<ChainLayer> layers = layers(d);
                return layers.get(layers.size() - 1).image();
            }
        }
        throw new IllegalArgumentException("not a disk of this state with an image: " + disk);
    }

    // ---- chains

    /** Every disk's chain; a drive without a medium has no layers. */
    List<DiskChain> chains() {
        return devices.stream().map(d -> new DiskChain(disk(d), layers(d))).toList();
    }

    /** The chain of {@code disk}, which must be one of this state's disks. */
    DiskChain chain(BlockDisk disk) {
        for (BlockInfo d : devices) {
            if (isDisk(d, disk)) {
                return new DiskChain(disk, layers(d));
            }
        }
        throw new IllegalArgumentException("not a disk of this state: " + disk);
    }

    private List<ChainLayer> layers(BlockInfo device) {
        BlockNodeInfo top = device.inserted();
        if (top == null || top.image() == null) {
            return List.of();
        }
        List<ImageInfo> images = new ArrayList<>();
        for (ImageInfo i = top.image(); i != null; i = i.backingImage()) {
            images.add(i);
        }
        List<ChainLayer> layers = new ArrayList<>();
        String cursor = top.nodeName();
        for (int i = 0; i < images.size(); i++) {
            ImageInfo image = images.get(i);
            ImageInfo below = i + 1 < images.size() ? images.get(i + 1) : null;
            String node = graph != null ? followGraph(cursor, image) : null;
            if (node == null) {
                node = i == 0 && isLayer(top.nodeName(), image) ? top.nodeName() : matchByFile(image, below);
            }
            layers.add(new ChainLayer(node, Path.of(imagePath(node, image)), image.format()));
            cursor = node == null || graph == null ? null : graph.child(node, "backing").orElse(null);
        }
        return layers;
    }

    /**
     * The file of format node {@code node}'s image: the name QEMU gives, or, where that is a
     * {@code json:} name it cut short ({@link ImageInfo#unreadable}), the name of the node's file
     * child, which the graph knows. Without the graph such a name stays as it is.
     */
    private String imagePath(String node, ImageInfo image) {
        String path = image.path();
        if (node == null || graph == null || !ImageInfo.unreadable(path)) {
            return path;
        }
        return graph.child(node, "file").map(nodes::get).map(BlockNodeInfo::filename)
                .filter(f -> !ImageInfo.unreadable(f)).orElse(path);
    }

    /** From {@code start} down through filter nodes to the node of {@code image}; null if not there. */
    private String followGraph(String start, ImageInfo image) {
        String n = start;
        for (int step = 0; n != null && step <= MAX_FILTERS; step++) {
            if (isLayer(n, image)) {
                return n;
            }
            String current = n;
            n = graph.child(current, "backing").or(() -> graph.child(current, "file")).orElse(null);
        }
        return null;
    }

    /** Whether node {@code name} is the format node of {@code image} (not its protocol node). */
    private boolean isLayer(String name, ImageInfo image) {
        BlockNodeInfo n = nodes.get(name);
        return n != null && Objects.equals(n.filename(), image.path()) && Objects.equals(n.drv(), image.format());
    }

    /**
     * Without the graph: the format node on the image's file; when several nodes open that file,
     * the one whose backing file is the next image down; {@code null} when that still leaves a choice.
     */
    private String matchByFile(ImageInfo image, ImageInfo below) {
        List<BlockNodeInfo> candidates = nodes.values().stream().filter(n -> isLayer(n.nodeName(), image)).toList();
        if (candidates.size() > 1) {
            String backing = below == null ? null : below.path();
            candidates = candidates.stream().filter(n -> Objects.equals(ImageInfo.plain(n.backingFile()), backing)).toList();
        }
        return candidates.size() == 1 ? candidates.get(0).nodeName() : null;
    }

    // ---- nodes and jobs

    /** Whether a node of this name exists. */
    boolean hasNode(String name) {
        return nodes.containsKey(name);
    }

    /** The nodes that have {@code file} open (format, protocol and filter nodes alike). */
    List<String> nodesOnFile(Path file) {
        String name = file.toString();
        return nodes.values().stream().filter(n -> name.equals(n.filename())).map(BlockNodeInfo::nodeName).toList();
    }

    /** What holds {@code node} (nodes, backends, jobs); empty also when unknown (no graph). */
    List<String> parents(String node) {
        return graph == null ? List.of() : graph.parents(node);
    }

    /** The block jobs holding any of {@code nodes}; empty also when unknown (no graph). */
    Set<String> jobsUsing(Collection<String> nodeNames) {
        return graph == null ? Set.of() : graph.jobsUsing(nodeNames);
    }
}
