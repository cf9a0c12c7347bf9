package org.qmp4j.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qemu-ga} on the host, listening on a UNIX socket, for fast protocol tests.
 *
 * <p>SAFETY: on the host, fsfreeze would freeze this machine's own file systems and shutdown or
 * suspend would stop it. This class always starts the agent with {@code -b} blocking every such
 * command (and the other commands that change the host), and offers no way to unblock them.
 * Freeze and shutdown are tested inside a guest VM only.
 */
public final class HostAgent implements AutoCloseable {
    /** Commands that must never run against the host. */
    public static final List<String> BLOCKED = List.of(
            "guest-fsfreeze-status", "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw",
            "guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid",
            "guest-set-time", "guest-set-user-password", "guest-set-vcpus", "guest-set-memory-blocks",
            "guest-fstrim", "guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys",
            "guest-exec", "guest-file-open", "guest-file-write");

    private final Path dir;
    private final Path socket;
    private final Process process;

    private HostAgent(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    /** Starts {@code qemu-ga -m unix-listen} in a temp dir with {@link #BLOCKED} disabled. */
    public static HostAgent start() {
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("qmp4j-qga-");
            Path socket = dir.resolve("qga.sock");
            process = new ProcessBuilder("qemu-ga", "-m", "unix-listen", "-p", socket.toString(),
                    "-t", dir.toString(), "-f", dir.resolve("qga.pid").toString(),
                    "-b", String.join(",", BLOCKED))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qga.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(socket)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("qemu-ga exited: " + Files.readString(dir.resolve("qga.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("qemu-ga did not create " + socket);
                }
                Thread.sleep(5);
            }
            return new HostAgent(dir, socket, process);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            QemuProcess.deleteRecursively(dir);
            throw new IllegalStateException("cannot start qemu-ga: " + e, e);
        }
    }

    public Path socket() {
        return socket;
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        QemuProcess.deleteRecursively(dir);
    }
}
