package org.qmp4j.snapshot.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;

/**
 * Test helper: overlays for every writable disk, created with the library's own
 * {@link OverlayBuilder} (file, file node, {@code blockdev-create}, qcow2 node with
 * {@code backing: null}), ready for a {@code transaction} of {@code blockdev-snapshot} actions
 * that a test sends itself. Lets a benchmark time only the switch, with whatever client it likes.
 */
public final class PreparedOverlays {
    /** One disk's switch: its active node now, and the overlay node to put on top of it. */
    public record Switch(String node, String overlayNode) {
    }

    private PreparedOverlays() {
    }

    /**
     * Creates an overlay in {@code dir} for each writable disk with an image, named
     * {@code <prefix>-<i>} (qcow2 node), {@code <prefix>-<i>f} (file node) and
     * {@code <prefix>-<i>.qcow2} (file). On failure, what was created is removed again.
     */
    public static List<Switch> create(QmpClient qmp, Path dir, String prefix) {
        Undo undo = new Undo();
        OverlayBuilder builder = new OverlayBuilder(qmp, undo, Journal.Recorder.none(), SnapshotFlow.Hooks.NONE);
        List<Switch> switches = new ArrayList<>();
        try {
            int i = 0;
            for (BlockDisk disk : BlockDiscovery.disks(qmp)) {
                if (disk.image() == null || disk.readOnly() || disk.removable()) {
                    continue;
                }
                String node = prefix + "-" + i;
                builder.create(new OverlayPlan(disk, dir.resolve(node + ".qcow2"), node, node + "f"));
                switches.add(new Switch(disk.node(), node));
                i++;
            }
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
        return switches;
    }

    /** The {@code transaction} arguments that switch every disk at once. */
    public static Map<String, Object> transaction(List<Switch> switches) {
        return Map.of("actions", switches.stream().map(s -> Map.of("type", "blockdev-snapshot",
                "data", Map.of("node", s.node(), "overlay", s.overlayNode()))).toList());
    }
}
