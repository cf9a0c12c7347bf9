package org.qmp4j.qmp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, throwaway {@code qemu-system-x86_64} for integration tests: by default
 * {@code -machine none} with a QMP UNIX socket, in its own temp directory. {@link #close()} kills
 * the process and deletes the directory, whatever state the test left them in.
 */
public final class QemuProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final Path qmpSocket;
    private final Path secondQmpSocket;
    private final Process process;
    private final Path log;

    private QemuProcess(Path dir, Path qmpSocket, Path secondQmpSocket, Process process, Path log) {
        this.dir = dir;
        this.qmpSocket = qmpSocket;
        this.secondQmpSocket = secondQmpSocket;
        this.process = process;
        this.log = log;
    }

    /** {@code -machine none} with a QMP socket, and nothing else. */
    public static QemuProcess startMachineNone(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-machine", "none"));
        args.addAll(List.of(extraArgs));
        return start(args, false);
    }

    /**
     * {@code -machine none} with two QMP monitors: a QMP socket serves one client at a time, so a
     * test that watches one monitor drives QEMU through {@link #secondQmpSocket()}.
     */
    public static QemuProcess startMachineNoneWithSecondMonitor(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-machine", "none"));
        args.addAll(List.of(extraArgs));
        return start(args, true);
    }

    /**
     * Starts QEMU with {@code -nodefaults -display none -qmp unix:DIR/qmp.sock,server=on,wait=off}
     * plus {@code args}, and waits until the QMP socket listens.
     */
    public static QemuProcess start(List<String> args) {
        return start(args, false);
    }

    private static QemuProcess start(List<String> args, boolean secondMonitor) {
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("qmp4j-qemu-");
            Path socket = dir.resolve("qmp.sock");
            Path second = secondMonitor ? dir.resolve("qmp2.sock") : null;
            Path log = dir.resolve("qemu.log");
            List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-display", "none",
                    "-qmp", "unix:" + socket + ",server=on,wait=off"));
            if (second != null) {
                cmd.addAll(List.of("-qmp", "unix:" + second + ",server=on,wait=off"));
            }
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!listening(socket) || (second != null && !listening(second))) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("QEMU exited with " + process.exitValue() + ": "
                            + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("QEMU did not create " + socket + " within " + START_TIMEOUT);
                }
                Thread.sleep(5);
            }
            return new QemuProcess(dir, socket, second, process, log);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
                waitQuietly(process);
            }
            deleteRecursively(dir);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start QEMU: " + e, e);
        }
    }

    /**
     * Whether a UNIX socket listens at {@code socket}. The file alone is not enough: it exists
     * from {@code bind()} on, and a connect before QEMU's {@code listen()} is refused. Linux lists
     * listening sockets in {@code /proc/net/unix} with the {@code __SO_ACCEPTCON} flag (0x10000).
     */
    private static boolean listening(Path socket) throws IOException {
        String suffix = " " + socket;
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            String[] fields = line.trim().split("\\s+");
            if (line.endsWith(suffix) && fields.length >= 8 && fields[3].matches("[0-9a-fA-F]+")
                    && (Long.parseLong(fields[3], 16) & 0x10000) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The QMP socket. */
    public Path qmpSocket() {
        return qmpSocket;
    }

    /**
     * The second QMP monitor's socket.
     *
     * @throws IllegalStateException unless started with {@link #startMachineNoneWithSecondMonitor}
     */
    public Path secondQmpSocket() {
        if (secondQmpSocket == null) {
            throw new IllegalStateException("QEMU was started without a second QMP monitor");
        }
        return secondQmpSocket;
    }

    /** The temp directory, deleted on close: put images and other sockets here. */
    public Path dir() {
        return dir;
    }

    /** The QEMU process. */
    public Process process() {
        return process;
    }

    /** What QEMU printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills QEMU at once (SIGKILL) and waits for it to be gone. */
    public void kill() {
        process.destroyForcibly();
        waitQuietly(process);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
            }
        }
        deleteRecursively(dir);
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort; reported by the caller's own checks if it matters
                }
            });
        } catch (IOException ignored) {
            // directory vanished meanwhile
        }
    }
}
