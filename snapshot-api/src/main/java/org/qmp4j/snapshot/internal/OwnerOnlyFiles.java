package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** New files that only their owner may read: overlays and memory files hold the guest's data. */
public final class OwnerOnlyFiles {
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {
    }

    /**
     * Creates {@code file}, which must not exist yet (never over someone else's file), with
     * exactly owner-only permissions whatever the umask.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it exists
     */
    public static void createNew(Path file) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
