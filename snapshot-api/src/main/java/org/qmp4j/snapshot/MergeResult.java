package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished merge.
 *
 * @param disk the disk, as it is now
 * @param removedNode the overlay node that was merged and removed from the VM
 * @param removedOverlay the overlay image file
 * @param overlayDeleted whether that file was deleted
 * @param took how long the merge took
 */
public record MergeResult(BlockDisk disk, String removedNode, Path removedOverlay, boolean overlayDeleted,
                          Duration took) {
}
