package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a QEMU process has an image open. QEMU takes byte-range locks on its images (bytes 100
 * to 299 encode the permissions it holds and the ones it refuses to share); a write lock on that
 * range can be taken only when no QEMU holds any of them.
 */
final class FileLocks {
    private static final long QEMU_LOCK_START = 100;
    private static final long QEMU_LOCK_LENGTH = 200;

    private FileLocks() {
    }

    /** True when some process holds one of QEMU's image locks on {@code file}. */
    static boolean inUseByQemu(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = channel.tryLock(QEMU_LOCK_START, QEMU_LOCK_LENGTH, false);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it
        }
    }
}
