package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import org.qmp4j.testkit.HostCommand;

/** Image files for tests, made and checked with {@code qemu-img} and {@code qemu-io} on the host. */
final class Images {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private Images() {
    }

    /** A new empty qcow2 image of {@code mib} MiB. */
    static Path qcow2(Path file, int mib) {
        HostCommand.run(TIMEOUT, "qemu-img", "create", "-q", "-f", "qcow2", file.toString(), mib + "M");
        return file;
    }

    /** A new raw image of {@code mib} MiB. */
    static Path raw(Path file, int mib) {
        HostCommand.run(TIMEOUT, "qemu-img", "create", "-q", "-f", "raw", file.toString(), mib + "M");
        return file;
    }

    /** A new qcow2 overlay on qcow2 {@code base}, as an offline snapshot makes it. */
    static Path overlay(Path base, Path overlay) {
        HostCommand.run(TIMEOUT, "qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
                overlay.toString());
        return overlay;
    }

    /** Writes {@code mib} MiB of the byte {@code pattern} at {@code offsetMib} into a closed image. */
    static void write(Path image, int pattern, int offsetMib, int mib) {
        HostCommand.run(TIMEOUT, "qemu-io", "-c", "write -P " + pattern + " " + offsetMib + "M " + mib + "M",
                image.toString());
    }

    /**
     * Whether the image (read through its backing chain) holds {@code pattern} there; {@code -U}
     * so that it may be checked while QEMU has it open (after a flush, for a stable answer).
     */
    static boolean holds(Path image, int pattern, int offsetMib, int mib) {
        try {
            HostCommand.run(TIMEOUT, "qemu-io", "-r", "-U", "-c",
                    "read -P " + pattern + " " + offsetMib + "M " + mib + "M", image.toString());
            return true;
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("Pattern verification failed")) {
                return false;
            }
            throw e;
        }
    }

    /** The backing file {@code qemu-img info} reports, or {@code null}. */
    static String backingFile(Path image) {
        String info = HostCommand.run(TIMEOUT, "qemu-img", "info", "-U", image.toString());
        for (String line : info.split("\n")) {
            if (line.startsWith("backing file:")) {
                return line.substring("backing file:".length()).trim();
            }
        }
        return null;
    }
}
