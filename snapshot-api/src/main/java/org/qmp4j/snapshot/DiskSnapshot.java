package org.qmp4j.snapshot;

import java.nio.file.Path;

/**
 * One disk of a snapshot: what it wrote to before, and the overlay it writes to now.
 *
 * @param device the block device name ({@code -drive} id), or the qdev id for {@code -blockdev} disks
 * @param node the node that was active before: now the overlay's backing node
 * @param base the image file of {@code node}: the snapshot's content, never written again
 * @param overlay the new overlay image the VM writes to from now on
 * @param overlayNode the overlay's node name
 */
public record DiskSnapshot(String device, String node, Path base, Path overlay, String overlayNode) {
}
