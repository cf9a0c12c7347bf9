package org.qmp4j.snapshot.internal;

import java.nio.file.Path;
import org.qmp4j.snapshot.BlockDisk;

/**
 * One disk's part of a snapshot, decided in preflight.
 *
 * @param disk the disk as it is before the snapshot
 * @param overlay the overlay file to create
 * @param overlayNode the overlay's qcow2 node name
 * @param fileNode the overlay's file node name
 */
record OverlayPlan(BlockDisk disk, Path overlay, String overlayNode, String fileNode) {
    /** The suffix that names an overlay's file node after its qcow2 node. */
    static final String FILE_NODE_SUFFIX = "-f";

    /** The file node's name of the overlay node {@code overlayNode}. */
    static String fileNodeOf(String overlayNode) {
        return overlayNode + FILE_NODE_SUFFIX;
    }

    /** The id of the {@code blockdev-create} job that makes the image of {@code overlayNode}. */
    static String createJobOf(String overlayNode) {
        return overlayNode + "-mk";
    }
}
