package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.GroupSnapshotResult;
import org.qmp4j.snapshot.MergeResult;
import org.qmp4j.snapshot.RevertResult;
import org.qmp4j.snapshot.SnapshotResult;

/**
 * The {@code --json} forms of the snapshot commands' results. Field names are camelCase, paths
 * are strings (absolute as the library reports them), absent values are {@code null}, times are
 * ISO-8601 instants. These names are an interface for scripts: add fields, never rename them.
 */
final class ResultJson {
    private ResultJson() {
    }

    /** {@code qmp4j snapshot --json}. */
    static ObjectNode snapshot(SnapshotResult r) {
        ObjectNode node = object();
        node.put("name", r.name());
        node.put("time", r.time().toString());
        node.put("quiesced", r.quiesced());
        node.put("quiesceSkippedReason", r.quiesceSkippedReason());
        node.put("frozenFilesystems", r.frozenFilesystems());
        node.put("freezeWindowMillis", millis(r.freezeWindow()));
        node.put("memoryFile", path(r.memoryFile()));
        ArrayNode disks = node.putArray("disks");
        for (DiskSnapshot d : r.disks()) {
            ObjectNode disk = disks.addObject();
            disk.put("device", d.device());
            disk.put("node", d.node());
            disk.put("base", path(d.base()));
            disk.put("overlay", path(d.overlay()));
            disk.put("overlayNode", d.overlayNode());
        }
        return node;
    }

    /**
     * {@code qmp4j snapshot --vm ... --json}: {@code name}, {@code allFrozenMillis}, the two
     * instants that bound it, and {@code vms}, each as {@link #snapshot} with its {@code qmp}.
     */
    static ObjectNode group(GroupSnapshotResult r, List<String> endpoints) {
        ObjectNode node = object();
        node.put("name", r.name());
        node.put("allFrozenMillis", millis(r.allFrozen()));
        node.put("lastFrozen", r.lastFrozen() == null ? null : r.lastFrozen().toString());
        node.put("firstThawSent", r.firstThawSent() == null ? null : r.firstThawSent().toString());
        ArrayNode vms = node.putArray("vms");
        for (int i = 0; i < r.vms().size(); i++) {
            ObjectNode vm = vms.addObject();
            vm.put("qmp", endpoints.get(i));
            vm.setAll(snapshot(r.vms().get(i)));
        }
        return node;
    }

    /** {@code qmp4j chain --json}: {@code {"disks": [{disk, device, qdev, node, layers: [{node, image, format}]}]}}. */
    static ObjectNode chains(List<DiskChain> chains) {
        ObjectNode node = object();
        ArrayNode disks = node.putArray("disks");
        for (DiskChain chain : chains) {
            ObjectNode disk = disks.addObject();
            describe(disk, chain.disk());
            ArrayNode layers = disk.putArray("layers");
            for (ChainLayer layer : chain.layers()) {
                ObjectNode l = layers.addObject();
                l.put("node", layer.node());
                l.put("image", path(layer.image()));
                l.put("format", layer.format());
            }
        }
        return node;
    }

    /** {@code qmp4j merge --json}. */
    static ObjectNode merge(MergeResult r) {
        ObjectNode node = object();
        node.put("disk", r.disk().displayName());
        node.put("removedNode", r.removedNode());
        node.put("removedOverlay", path(r.removedOverlay()));
        node.put("overlayDeleted", r.overlayDeleted());
        node.put("tookMillis", r.took().toMillis());
        node.put("node", r.disk().node());
        node.put("image", path(r.disk().image()));
        return node;
    }

    /** {@code qmp4j revert --json}. */
    static ObjectNode revert(RevertResult r) {
        ObjectNode node = object();
        node.put("bootImage", path(r.bootImage()));
        node.put("snapshotImage", path(r.snapshotImage()));
        paths(node.putArray("abandoned"), r.abandoned());
        paths(node.putArray("deleted"), r.deleted());
        paths(node.putArray("kept"), r.kept());
        return node;
    }

    private static void describe(ObjectNode node, BlockDisk disk) {
        node.put("disk", disk.displayName());
        node.put("device", disk.device());
        node.put("qdev", disk.qdev());
        node.put("node", disk.node());
    }

    private static void paths(ArrayNode array, List<Path> paths) {
        paths.forEach(p -> array.add(path(p)));
    }

    private static ObjectNode object() {
        return JsonTrees.object();
    }

    private static String path(Path p) {
        return p == null ? null : p.toString();
    }

    /** Milliseconds with microsecond precision: a freeze window is often a few milliseconds. */
    static BigDecimal millis(Duration d) {
        return BigDecimal.valueOf(d.toNanos() / 1000).movePointLeft(3);
    }
}
