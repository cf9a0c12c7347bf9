package org.qmp4j.snapshot.internal;

import java.util.Map;
import org.qmp4j.core.CommandException;
import org.qmp4j.qmp.QmpClient;

/** {@code blockdev-del} of a node that may already be gone: the undo's and recover's one way. */
final class BlockNodes {
    private BlockNodes() {
    }

    /**
     * Deletes {@code node}; returns false if QEMU had no such node (gone counts as deleted).
     *
     * @throws CommandException if QEMU refused for another reason (e.g. the node is in use)
     */
    static boolean delete(QmpClient qmp, String node) {
        try {
            qmp.execute("blockdev-del", Map.of("node-name", node));
            return true;
        } catch (CommandException e) {
            if (e.description().contains("Failed to find node")) {
                return false;
            }
            throw e;
        }
    }
}
