package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.qmp4j.snapshot.ImageException;

/**
 * Creates qcow2 overlay files that nobody else can read: the empty file is created here by
 * {@link NewFile} (owner-only, never over an existing file or through a link), and
 * {@code qemu-img create} writes the header into that very file, which it opens as
 * {@code /proc/PID/fd/N}: a path swapped for a link meanwhile cannot redirect the write.
 */
public final class OverlayFiles {
    /** Owner read and write: guest data must not be readable by other host users. */
    public static final Set<PosixFilePermission> OWNER_ONLY = OwnerOnlyFiles.OWNER_ONLY;

    private final QemuImg qemuImg;

    public OverlayFiles(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
    }

    /**
     * Creates {@code overlay} on top of {@code base} (of format {@code baseFormat}). On failure,
     * removes what it created.
     *
     * @throws ImageException if {@code overlay} exists (left untouched), or anything failed
     */
    public void create(Path base, String baseFormat, Path overlay) {
        NewFile.Identity identity = null;
        try (NewFile file = NewFile.create(overlay)) {
            identity = file.identity();
            qemuImg.createOverlay(base, baseFormat, file.descriptorPath());
            if (!identity.isInPlace()) {
                throw new ImageException(overlay + " was moved or replaced while qemu-img wrote the overlay");
            }
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("overlay " + overlay + " already exists; refusing to overwrite it", e);
        } catch (IOException | RuntimeException e) {
            String removed = identity == null ? "nothing to remove"
                    : deleteQuietly(identity) ? "removed " + overlay : "COULD NOT REMOVE " + overlay;
            throw new ImageException("cannot create overlay " + overlay + " on " + base + " (" + removed + "): "
                    + e.getMessage(), e);
        }
    }

    /** Deletes {@code file}; true if it is gone afterwards. */
    public static boolean deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the created file if its path still names it; true if nothing of it is left there. */
    private static boolean deleteQuietly(NewFile.Identity file) {
        try {
            return file.deleteIfInPlace() || !Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }
}
