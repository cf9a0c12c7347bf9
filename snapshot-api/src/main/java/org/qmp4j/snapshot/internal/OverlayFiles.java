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
 * Creates qcow2 overlay files that nobody else can read: the empty file is created here, owner-only
 * and atomically ({@code O_CREAT|O_EXCL}, so an existing file is never overwritten), and only then
 * does {@code qemu-img create} write the header into it.
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
        createEmptyOwnerOnly(overlay);
        try {
            qemuImg.createOverlay(base, baseFormat, overlay);
            ensureOwnerOnly(overlay);
        } catch (RuntimeException e) {
            String removed = deleteQuietly(overlay) ? "removed " + overlay : "COULD NOT REMOVE " + overlay;
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

    private static void createEmptyOwnerOnly(Path overlay) {
        try {
            OwnerOnlyFiles.createNew(overlay);
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("overlay " + overlay + " already exists; refusing to overwrite it", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ImageException("cannot create overlay file " + overlay + ": " + e, e);
        }
    }

    /** qemu-img keeps an existing file's mode today; check instead of trusting that. */
    private static void ensureOwnerOnly(Path overlay) {
        try {
            if (!Files.getPosixFilePermissions(overlay, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(overlay, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new ImageException("cannot restrict permissions of " + overlay + ": " + e, e);
        }
    }
}
