package org.qmp4j.snapshot;

import java.nio.file.Path;

/**
 * One image of a disk's backing chain.
 *
 * @param node the node name, or {@code null} when QEMU has no named node for it
 * @param image the image file
 * @param format the format, e.g. {@code qcow2}
 */
public record ChainLayer(String node, Path image, String format) {
}
