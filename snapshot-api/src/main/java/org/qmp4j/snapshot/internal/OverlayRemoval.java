package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qmp4j.core.CommandException;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ChainLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a merge: removes the merged overlay's node, then whatever node still has its file open
 * with nothing above it (its file node, when that was added as a node of its own; QEMU drops the
 * implicit ones by itself), found from the node list rather than from a naming rule. The file
 * is deleted only when asked and only once no node has it open. The merge has already happened,
 * so what cannot be removed is logged, not thrown.
 */
final class OverlayRemoval {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayRemoval.class);

    private final QmpClient qmp;

    OverlayRemoval(QmpClient qmp) {
        this.qmp = qmp;
    }

    /** Removes the nodes of {@code overlay}, and its file if {@code deleteFile}; returns whether the file was deleted. */
    boolean remove(ChainLayer overlay, boolean deleteFile) {
        boolean closed = removeNodes(overlay);
        return deleteFile && closed && delete(overlay.image());
    }

    private boolean removeNodes(ChainLayer overlay) {
        delNode(overlay.node(), BlockState.read(qmp, false));
        BlockState after = BlockState.read(qmp, true);
        for (String node : after.nodesOnFile(overlay.image())) {
            // without the graph parents are unknown: QEMU itself refuses to delete a node in use
            List<String> parents = after.parents(node);
            if (parents.isEmpty()) {
                delNode(node, after);
            } else {
                LOG.warn("merged, but node {} on {} is still used by {}", node, overlay.image(), parents);
            }
        }
        try {
            FdSets.releaseUnused(qmp); // the overlay's descriptor, if qmp4j passed it
        } catch (CommandException e) {
            LOG.warn("merged, but could not release the fd set of {}: {}", overlay.image(), e.getMessage());
        }
        List<String> left = BlockState.read(qmp, false).nodesOnFile(overlay.image());
        if (!left.isEmpty()) {
            LOG.warn("merged, but {} is still open in nodes {}: keeping the file", overlay.image(), left);
        }
        return left.isEmpty();
    }

    private void delNode(String node, BlockState state) {
        if (!state.hasNode(node)) {
            return;
        }
        try {
            qmp.execute("blockdev-del", Map.of("node-name", node));
        } catch (CommandException e) {
            LOG.warn("merged, but could not remove node {}: {}", node, e.getMessage());
        }
    }

    private static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("merged, but could not delete overlay {}: {}", file, e.toString());
            return false;
        }
    }
}
