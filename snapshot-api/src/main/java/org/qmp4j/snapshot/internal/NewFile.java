package org.qmp4j.snapshot.internal;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * A file this process has just created and holds open: {@code O_CREAT|O_EXCL|O_NOFOLLOW}, so
 * it is never an existing file nor where a symbolic link points, and owner-only. Its path is
 * resolved exactly once, here; everything after goes through the descriptor (passed to QEMU, or
 * named as {@code /proc/PID/fd/N}, which the kernel resolves to this very file), so a path that
 * is renamed, or swapped for a link, afterwards cannot redirect a write.
 *
 * <p>Java gives no descriptor number for a {@link FileChannel}. It is found in
 * {@code /proc/self/fdinfo}: the channel's offset is set to a random value between 2 and 4 GiB,
 * the descriptor with that offset is this channel's (its inode is checked against the path's),
 * and the offset goes back to 0. Only the descriptors that link to the path are read, nearest to
 * the last one found first: a controller of many VMs holds hundreds, and reading, or even
 * listing, every one cost each snapshot milliseconds.
 */
final class NewFile implements AutoCloseable {
    private static final Path PROC_FDS = Path.of("/proc/self/fd");
    private static final Path PROC_FDINFO = Path.of("/proc/self/fdinfo");
    private static final SecureRandom MARKERS = new SecureRandom();

    /**
     * The descriptor of the last new file, a hint for the next: the kernel gives a new file the
     * lowest free number, and the numbers a process frees and takes again stay close together.
     */
    private static volatile int lastFound = -1;
    /** How far from the hint to look before listing every descriptor. */
    private static final int PROBE_WINDOW = 32;

    private final FileChannel channel;
    private final int fd;
    private final Identity identity;

    private NewFile(FileChannel channel, int fd, Identity identity) {
        this.channel = channel;
        this.fd = fd;
        this.identity = identity;
    }

    /**
     * Creates {@code path}, which must not exist (not even as a dangling link).
     *
     * @throws java.nio.file.FileAlreadyExistsException if anything is at {@code path}
     * @throws IOException if it cannot be created, or was replaced before it could be held
     */
    static NewFile create(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(OwnerOnlyFiles.OWNER_ONLY));
        Identity identity = null;
        try {
            int fd = descriptorNumberOf(channel, path);
            Path self = PROC_FDS.resolve(Integer.toString(fd));
            identity = new Identity(path, Files.readAttributes(self, BasicFileAttributes.class).fileKey());
            // The umask may have taken bits away; chmod through the descriptor, never by name.
            Files.setPosixFilePermissions(self, OwnerOnlyFiles.OWNER_ONLY);
            if (!identity.isInPlace()) {
                throw new IOException(path + " was replaced while it was being created");
            }
            return new NewFile(channel, fd, identity);
        } catch (IOException | RuntimeException e) {
            channel.close();
            removeAfterFailure(path, identity);
            throw e;
        }
    }

    /** The path it was created at. */
    Path path() {
        return identity.path();
    }

    /** The open descriptor (read and write), valid until {@link #close()}. */
    FileDescriptor descriptor() throws IOException {
        ensureOpen();
        return FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    }

    /**
     * A name for this very file that another process of this user can open while this one is
     * open: {@code /proc/PID/fd/N}. Opening it never follows {@link #path()}.
     */
    Path descriptorPath() throws IOException {
        ensureOpen();
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    /** What identifies the file (device and inode); stays valid after {@link #close()}. */
    Identity identity() {
        return identity;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void ensureOpen() throws IOException {
        if (!channel.isOpen()) {
            throw new IOException(identity.path() + ": closed");
        }
    }

    /**
     * A created file's identity, kept after its descriptor is closed (while QEMU keeps the file
     * open its inode cannot be reused). A path still names the file only if it is not a link
     * and has the same device and inode.
     *
     * @param path where the file was created
     * @param fileKey its device and inode, as {@link BasicFileAttributes#fileKey()}
     */
    record Identity(Path path, Object fileKey) {
        Identity {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(fileKey, "fileKey");
        }

        /** Whether {@code candidate}, not followed if it is a link, is this file. */
        boolean isAt(Path candidate) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(candidate, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                return attributes.isRegularFile() && fileKey.equals(attributes.fileKey());
            } catch (IOException e) {
                return false;
            }
        }

        /** Whether the file is still at the path it was created at. */
        boolean isInPlace() {
            return isAt(path);
        }

        /** Deletes the path if it still names this file; false if it was kept (gone, or not this file). */
        boolean deleteIfInPlace() throws IOException {
            if (!isInPlace()) {
                return false;
            }
            Files.delete(path);
            return true;
        }
    }

    private static int descriptorNumberOf(FileChannel channel, Path path) throws IOException {
        // 2 to 4 GiB: past any offset of the JVM's own files, within every file system's limit
        // (lseek beyond it fails), and a wrong match would show as another inode, never pass
        long marker = (1L << 31) + MARKERS.nextInt(Integer.MAX_VALUE);
        channel.position(marker);
        try {
            String wanted = "pos:\t" + marker + "\n";
            // A process with many connections has many descriptors: first read only those that
            // link to this path (a readlink each), then, if the kernel spells the path otherwise
            // (a linked directory on the way), every one.
            Path target = path.toAbsolutePath().normalize();
            Predicate<String> linksToTarget = fdNumber -> target.equals(linkTarget(fdNumber));
            int fd = probeNearLastFound(wanted, linksToTarget);
            if (fd < 0) {
                fd = findDescriptor(wanted, linksToTarget);
            }
            if (fd < 0) {
                fd = findDescriptor(wanted, fdNumber -> true);
            }
            if (fd < 0) {
                throw new IOException("cannot find the descriptor of the new file in " + PROC_FDINFO);
            }
            lastFound = fd;
            return fd;
        } finally {
            channel.position(0);
        }
    }

    /**
     * The descriptor near the last one found (nearest first) that {@code worthReading} and whose
     * fdinfo starts with {@code wanted}; -1 if none. A readlink each: listing
     * {@code /proc/self/fdinfo} costs more than this whole window in a process with hundreds of
     * descriptors.
     */
    private static int probeNearLastFound(String wanted, Predicate<String> worthReading) {
        int hint = lastFound;
        if (hint < 0) {
            return -1;
        }
        for (int step = 0; step <= 2 * PROBE_WINDOW; step++) {
            int number = hint + (step % 2 == 0 ? step / 2 : -(step + 1) / 2); // hint, +1, -1, +2, -2, ...
            if (number >= 0 && isTheOne(number, wanted, worthReading)) {
                return number;
            }
        }
        return -1;
    }

    /**
     * The descriptor among those {@code worthReading} whose fdinfo starts with {@code wanted}; -1
     * if none. Highest numbers first: without closed ones below it, a new descriptor is the highest.
     */
    private static int findDescriptor(String wanted, Predicate<String> worthReading) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC_FDINFO)) {
            for (Path info : fds) {
                numbers.add(Integer.parseInt(info.getFileName().toString()));
            }
        }
        numbers.sort(Comparator.reverseOrder());
        for (int number : numbers) {
            if (isTheOne(number, wanted, worthReading)) {
                return number;
            }
        }
        return -1;
    }

    /** Whether descriptor {@code number} is {@code worthReading} and its fdinfo starts with {@code wanted}. */
    private static boolean isTheOne(int number, String wanted, Predicate<String> worthReading) {
        String name = Integer.toString(number);
        return worthReading.test(name) && readQuietly(PROC_FDINFO.resolve(name)).startsWith(wanted);
    }

    /** Where {@code /proc/self/fd/N} points, or {@code null} (closed meanwhile, not a file). */
    private static Path linkTarget(String fdNumber) {
        try {
            return Files.readSymbolicLink(PROC_FDS.resolve(fdNumber));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String readQuietly(Path info) {
        try {
            return new String(Files.readAllBytes(info), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return ""; // closed meanwhile by another thread
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * After a failed create: removes the file just made. Without its identity (its descriptor was
     * not found), an empty regular file at the path is taken to be it: nothing else can be there
     * but what replaced it within these microseconds.
     */
    private static void removeAfterFailure(Path path, Identity identity) {
        try {
            if (identity != null) {
                identity.deleteIfInPlace();
                return;
            }
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile() && attributes.size() == 0) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // nothing there, or not ours: leave it
        }
    }
}
