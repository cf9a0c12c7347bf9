package org.qmp4j.qmp.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's root directory from a module's working directory. */
public final class ProjectPaths {
    private ProjectPaths() {
    }

    /** The directory holding {@code scripts/build-test-guest.sh}, searched upwards from the working dir. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("scripts/build-test-guest.sh"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the project root (scripts/build-test-guest.sh) above "
                + Path.of("").toAbsolutePath());
    }
}
