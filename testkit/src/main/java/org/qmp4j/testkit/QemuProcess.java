package org.qmp4j.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 *
 * <p>It can also listen for QMP on TCP ({@link #startWithTcpQmp(List)}), and be frozen with
 * {@code SIGSTOP} ({@link #suspend()}) to play a monitor that does not answer.
 */
public final class QemuProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final String TCP_HOST = "127.0.0.1";
    private static final int TCP_PORT_ATTEMPTS = 5;
    /** Flag of a listening socket in {@code /proc/net/unix}. */
    private static final int SO_ACCEPTCON = 0x10000;

    private final Path dir;
    private final Path qmpSocket;
    private final Path secondQmpSocket;
    private final Process process;
    private final Path log;
    private final Integer tcpPort;
    private volatile boolean suspended;

    private QemuProcess(Path dir, Path qmpSocket, Path secondQmpSocket, Process process, Path log, Integer tcpPort) {
        this.dir = dir;
        this.qmpSocket = qmpSocket;
        this.secondQmpSocket = secondQmpSocket;
        this.process = process;
        this.log = log;
        this.tcpPort = tcpPort;
    }

    /** {@code -machine none} with a QMP socket, and nothing else. */
    public static QemuProcess startMachineNone(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-machine", "none"));
        args.addAll(List.of(extraArgs));
        return start(args);
    }

    /**
     * Starts QEMU with {@code -nodefaults -display none -qmp unix:DIR/qmp.sock,server=on,wait=off}
     * plus {@code args}, and waits until the QMP socket listens.
     */
    public static QemuProcess start(List<String> args) {
        return start(args, null, false);
    }

    /**
     * {@code -machine none} with two QMP monitors: a QMP socket serves one client at a time, so a
     * test that watches one monitor drives QEMU through {@link #secondQmpSocket()}.
     */
    public static QemuProcess startMachineNoneWithSecondMonitor(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("-machine", "none"));
        args.addAll(List.of(extraArgs));
        return start(args, null, true);
    }

    /**
     * Like {@link #start(List)}, plus a second QMP monitor on {@code tcp:127.0.0.1:PORT} with a
     * free port (see {@link #tcpQmp()}). Retries with another port if the chosen one was taken
     * meanwhile.
     */
    public static QemuProcess startWithTcpQmp(List<String> args) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < TCP_PORT_ATTEMPTS; attempt++) {
            try {
                return start(args, freePort(), false);
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(TCP_HOST))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port: " + e, e);
        }
    }

    private static QemuProcess start(List<String> args, Integer tcpPort, boolean secondMonitor) {
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("qmp4j-qemu-");
            Path socket = dir.resolve("qmp.sock");
            Path second = secondMonitor ? dir.resolve("qmp2.sock") : null;
            Path log = dir.resolve("qemu.log");
            List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-display", "none"));
            if (tcpPort != null) {
                // Before the UNIX monitor: once its socket file exists, the TCP one listens too.
                cmd.addAll(List.of("-qmp", "tcp:" + TCP_HOST + ":" + tcpPort + ",server=on,wait=off"));
            }
            cmd.addAll(List.of("-qmp", "unix:" + socket + ",server=on,wait=off"));
            if (second != null) {
                cmd.addAll(List.of("-qmp", "unix:" + second + ",server=on,wait=off"));
            }
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            // The file appears at bind(), a moment before listen(): a connect in between is refused.
            while (!isListening(socket) || (second != null && !isListening(second))) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("QEMU exited with " + process.exitValue() + ": "
                            + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("QEMU did not listen on " + socket + " within " + START_TIMEOUT);
                }
                Thread.sleep(5);
            }
            return new QemuProcess(dir, socket, second, process, log, tcpPort);
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

    /** Whether a UNIX socket is listening at {@code path}, from the kernel's table (no probe connection). */
    private static boolean isListening(Path path) throws IOException {
        String wanted = path.toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.skip(1).map(String::trim).map(line -> line.split("\\s+"))
                    .anyMatch(f -> f.length >= 8 && f[7].equals(wanted)
                            && (Integer.parseInt(f[3], 16) & SO_ACCEPTCON) != 0);
        }
    }

    /** The QMP socket. */
    public Path qmpSocket() {
        return qmpSocket;
    }

    /**
     * The TCP QMP monitor's address.
     *
     * @throws IllegalStateException if this QEMU was not started with {@link #startWithTcpQmp(List)}
     */
    public InetSocketAddress tcpQmp() {
        if (tcpPort == null) {
            throw new IllegalStateException("this QEMU has no TCP QMP monitor");
        }
        return InetSocketAddress.createUnresolved(TCP_HOST, tcpPort);
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

    /** QEMU's process id. */
    public long pid() {
        return process.pid();
    }

    /** Freezes QEMU with {@code SIGSTOP}: its sockets stay open, but nothing is read or answered. */
    public void suspend() {
        suspended = true; // set first: close() must wake it even if this call fails half-way
        signal("STOP");
    }

    /** Lets a {@link #suspend() suspended} QEMU run again ({@code SIGCONT}). */
    public void resume() {
        signal("CONT");
        suspended = false;
    }

    private void signal(String name) {
        HostCommand.run("kill", "-" + name, Long.toString(process.pid()));
    }

    /** Kills QEMU at once (SIGKILL) and waits for it to be gone. */
    public void kill() {
        process.destroyForcibly();
        waitQuietly(process);
    }

    @Override
    public void close() {
        if (suspended) {
            kill(); // a stopped process would sit on SIGTERM until the grace period ran out
        }
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
