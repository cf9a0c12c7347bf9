package org.qmp4j.snapshot.internal;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The mode of the files qmp4j creates ({@link NewFile}): overlays and memory files hold the guest's data. */
public final class OwnerOnlyFiles {
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {
    }
}
