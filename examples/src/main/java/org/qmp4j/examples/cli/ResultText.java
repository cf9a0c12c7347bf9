package org.qmp4j.examples.cli;

import java.nio.file.Path;
import java.util.List;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.GroupSnapshotResult;
import org.qmp4j.snapshot.MergeResult;
import org.qmp4j.snapshot.RevertResult;
import org.qmp4j.snapshot.SnapshotResult;

/**
 * The human-readable forms of the snapshot commands' results: {@code label: value} lines, lists
 * indented by two spaces. Each text ends with a newline. Scripts should use {@code --json}.
 */
final class ResultText {
    private static final String NONE = "-";
    /** Label column: the longest label, "frozen file systems:", and a space. */
    private static final int LABEL_WIDTH = 21;

    private ResultText() {
    }

    /** {@code qmp4j snapshot}. */
    static String snapshot(SnapshotResult r) {
        StringBuilder s = new StringBuilder();
        line(s, "name", r.name());
        line(s, "time", r.time().toString());
        line(s, "quiesced", r.quiesced() ? "yes" : "no (" + r.quiesceSkippedReason() + ")");
        line(s, "frozen file systems", String.valueOf(r.frozenFilesystems()));
        line(s, "freeze window", ResultJson.millis(r.freezeWindow()).toPlainString() + " ms");
        r.memory().ifPresent(m -> line(s, "memory", m.toString()));
        s.append("disks:\n");
        for (DiskSnapshot d : r.disks()) {
            s.append("  ").append(d.device()).append(": ").append(d.node()).append(" -> ").append(d.overlayNode())
                    .append(", ").append(d.base()).append(" -> ").append(d.overlay()).append('\n');
        }
        return s.toString();
    }

    /** {@code qmp4j snapshot --vm ...}: the group's line, then each VM's snapshot, indented. */
    static String group(GroupSnapshotResult r, List<String> endpoints) {
        StringBuilder s = new StringBuilder();
        line(s, "name", r.name());
        line(s, "all frozen", ResultJson.millis(r.allFrozen()).toPlainString() + " ms"
                + (r.allQuiesced() ? "" : " (not every VM was quiesced)"));
        for (int i = 0; i < r.vms().size(); i++) {
            s.append("vm ").append(endpoints.get(i)).append(":\n");
            snapshot(r.vms().get(i)).lines().forEach(l -> s.append("  ").append(l).append('\n'));
        }
        return s.toString();
    }

    /** {@code qmp4j chain}: per disk, a header and its layers top first, as {@code node  format  image}. */
    static String chains(List<DiskChain> chains) {
        StringBuilder s = new StringBuilder();
        for (DiskChain chain : chains) {
            List<ChainLayer> layers = chain.layers();
            s.append(chain.disk().displayName()).append(": ").append(layers.size())
                    .append(layers.size() == 1 ? " layer" : " layers").append(layers.isEmpty() ? "" : ", top first")
                    .append('\n');
            int nodeWidth = layers.stream().mapToInt(l -> orNone(l.node()).length()).max().orElse(0);
            int formatWidth = layers.stream().mapToInt(l -> orNone(l.format()).length()).max().orElse(0);
            for (ChainLayer l : layers) {
                s.append("  ").append(pad(orNone(l.node()), nodeWidth)).append("  ")
                        .append(pad(orNone(l.format()), formatWidth)).append("  ").append(l.image()).append('\n');
            }
        }
        return s.toString();
    }

    /** {@code qmp4j merge}. */
    static String merge(MergeResult r) {
        StringBuilder s = new StringBuilder();
        line(s, "merged", r.disk().displayName());
        line(s, "removed node", r.removedNode());
        line(s, "removed overlay", r.removedOverlay() + (r.overlayDeleted() ? " (deleted)" : " (kept)"));
        line(s, "active now", r.disk().node() + ", " + r.disk().image());
        line(s, "took", r.took().toMillis() + " ms");
        return s.toString();
    }

    /** {@code qmp4j revert}: {@code boot: PATH} first, then the snapshot and the three lists. */
    static String revert(RevertResult r) {
        StringBuilder s = new StringBuilder();
        s.append("boot: ").append(r.bootImage()).append('\n');
        s.append("snapshot: ").append(r.snapshotImage()).append('\n');
        list(s, "abandoned", r.abandoned());
        list(s, "deleted", r.deleted());
        list(s, "kept", r.kept());
        return s.toString();
    }

    private static void line(StringBuilder s, String label, String value) {
        s.append(pad(label + ":", LABEL_WIDTH)).append(value).append('\n');
    }

    /** {@code label: N} and the N paths, one per line. */
    private static void list(StringBuilder s, String label, List<Path> paths) {
        s.append(label).append(": ").append(paths.size()).append('\n');
        paths.forEach(p -> s.append("  ").append(p).append('\n'));
    }

    private static String orNone(String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
