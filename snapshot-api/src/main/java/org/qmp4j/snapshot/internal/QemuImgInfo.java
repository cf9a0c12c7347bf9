package org.qmp4j.snapshot.internal;

import java.nio.file.Path;

/**
 * One image as {@code qemu-img info} describes it.
 *
 * @param image the image file
 * @param format its format, e.g. {@code qcow2}
 * @param backing its backing file, resolved against the image's directory ({@code null} when none)
 */
public record QemuImgInfo(Path image, String format, Path backing) {
}
