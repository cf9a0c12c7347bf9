package org.qmp4j.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The one QEMU the benchmark talks to: {@code -machine none} with two QMP sockets in a temp
 * directory, one per client, so that neither client has to wait for the other to disconnect.
 * {@link #close()} (also run by a shutdown hook, e.g. on Ctrl-C) kills QEMU and deletes the
 * directory.
 */
final class BenchQemu implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private BenchQemu(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
        this.shutdownHook = new Thread(this::stop, "bench-qemu-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts QEMU and waits until both sockets exist. */
    static BenchQemu start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("qmp4j-bench-");
        Process process = null;
        try {
            Path log = dir.resolve("qemu.log");
            process = new ProcessBuilder(List.of("qemu-system-x86_64", "-machine", "none", "-nodefaults",
                    "-display", "none",
                    "-qmp", "unix:" + dir.resolve("plain.sock") + ",server=on,wait=off",
                    "-qmp", "unix:" + dir.resolve("qmp4j.sock") + ",server=on,wait=off"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            BenchQemu qemu = new BenchQemu(dir, process);
            qemu.awaitSockets(log);
            return qemu;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            deleteRecursively(dir);
            throw e;
        }
    }

    private void awaitSockets(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(plainSocket()) || !Files.exists(qmp4jSocket())) {
            if (!process.isAlive()) {
                throw new IOException("QEMU exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU did not create its QMP sockets within " + START_TIMEOUT);
            }
            Thread.sleep(5);
        }
    }

    /** The socket the hand-written client uses. */
    Path plainSocket() {
        return dir.resolve("plain.sock");
    }

    /** The socket qmp4j uses. */
    Path qmp4jSocket() {
        return dir.resolve("qmp4j.sock");
    }

    /** QEMU's process id, for the report. */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) stop(), which is idempotent
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
