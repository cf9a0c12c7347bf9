package org.qmp4j.snapshot.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.qmp4j.qmp.QmpSchema;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.MergeFailedException;

/**
 * What a merge will do, checked before anything changes: which disk, its top layer (merged and
 * removed) and the layer below (merged into). Refuses, with the reason, what cannot be merged.
 *
 * @param disk the disk as it was before the merge
 * @param top the active overlay, to be merged and removed
 * @param base the image right below it, which the disk uses afterwards
 */
record MergePlan(BlockDisk disk, ChainLayer top, ChainLayer base) {
    private static final List<String> JOB_COMMANDS = List.of("query-jobs", "job-complete", "job-cancel", "job-dismiss");

    /**
     * Plans the merge of disk {@code name}.
     *
     * @throws MergeFailedException when it must be refused (nothing was changed)
     */
    static MergePlan of(QmpSchema schema, BlockState state, String name) {
        checkSupport(schema);
        BlockDisk disk = find(state, name);
        DiskChain chain = state.chain(disk);
        String what = "disk " + disk.displayName();
        if (disk.image() == null || disk.node() == null) {
            throw refused(what + " has no medium: nothing to merge");
        }
        if (disk.backingDepth() < 1 || chain.layers().size() < 2) {
            throw refused(what + " has no backing image to merge " + disk.image() + " into");
        }
        if (disk.readOnly()) {
            throw refused(what + " is read-only");
        }
        ChainLayer top = chain.layers().get(0);
        ChainLayer base = chain.layers().get(1);
        if (!disk.node().equals(top.node())) {
            // e.g. a throttle filter node above the overlay
            throw refused(what + " has node " + disk.node() + " above its overlay " + top.image());
        }
        if (base.node() == null && !schema.hasArgument("block-commit", "base")) {
            throw refused("cannot tell which node of " + what + " is " + base.image());
        }
        List<String> nodes = chain.layers().stream().map(ChainLayer::node).filter(Objects::nonNull).toList();
        Set<String> jobs = state.jobsUsing(nodes);
        if (!jobs.isEmpty()) {
            throw refused("a block job already runs on " + what + ": " + String.join(", ", jobs));
        }
        return new MergePlan(disk, top, base);
    }

    private static void checkSupport(QmpSchema schema) {
        List<String> missing = new ArrayList<>();
        JOB_COMMANDS.stream().filter(c -> !schema.hasCommand(c)).forEach(missing::add);
        for (String arg : List.of("job-id", "auto-dismiss", "base-node")) {
            if (!schema.hasArgument("block-commit", arg)) {
                missing.add("block-commit " + arg);
            }
        }
        if (!missing.isEmpty()) {
            throw refused("this QEMU lacks " + String.join(", ", missing));
        }
    }

    private static BlockDisk find(BlockState state, String name) {
        List<BlockDisk> found = state.matching(name);
        if (found.size() == 1) {
            return found.get(0);
        }
        String known = describe(found.isEmpty() ? state.disks() : found);
        throw refused(found.isEmpty()
                ? "no disk named '" + name + "'; the disks are: " + known
                : "'" + name + "' names several disks: " + known);
    }

    private static String describe(List<BlockDisk> disks) {
        if (disks.isEmpty()) {
            return "(none)";
        }
        return disks.stream()
                .map(d -> d.displayName() + (d.image() == null ? " (no medium)" : " (node " + d.node() + ", " + d.image() + ")"))
                .collect(Collectors.joining(", "));
    }

    /** The name to use in messages. */
    String name() {
        return disk.displayName();
    }

    static MergeFailedException refused(String why) {
        return refused(why, null);
    }

    static MergeFailedException refused(String why, Throwable cause) {
        return new MergeFailedException("merge refused, nothing changed: " + why, cause);
    }
}
