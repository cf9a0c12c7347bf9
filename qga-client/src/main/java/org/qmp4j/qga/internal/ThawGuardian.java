package org.qmp4j.qga.internal;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's link to its thaw guardian: a small JVM ({@link ThawGuardianMain}), started on
 * first use and kept for this process's lifetime, that thaws every freeze still armed when this
 * process dies, however it dies. A freeze is armed (a line on the guardian's stdin) before it is
 * sent and disarmed once its thaw is confirmed. When this process ends, the kernel closes the pipe
 * and the guardian reads end-of-file: that is the whole signal, so nothing here has to run for it
 * to act. A line written is in the pipe even if this process dies the next instant, so arming
 * waits for no reply. A guardian that died is started again, and what was armed is armed again.
 *
 * <p>The guardian is not this JVM's child: a shell starts it in the background, its stdin a FIFO
 * that only this JVM writes, and exits; so no thread of this JVM waits on it. (A JVM that ends
 * with a thread blocked in native code, such as the reaper of a child process, first waits 300 ms
 * for it: measured, that was the guardian's whole cost to a CLI snapshot. And the JDK closes a
 * child's pipes when the child ends, which is the shell's at once.) The FIFO is removed as soon
 * as both ends are open. The guardian's death shows on the next write to it.
 */
public final class ThawGuardian {
    private static final Logger LOG = LoggerFactory.getLogger(ThawGuardian.class);
    private static final ThawGuardian SHARED = new ThawGuardian();
    /** Overrides the guardian's class path (default: this JVM's class and module path). */
    public static final String CLASSPATH_PROPERTY = "qmp4j.guardian.classpath";
    /**
     * A class-data-sharing archive of the class path for the guardian's JVM to start from (the
     * CLI's script sets it to its own); unset, or not a file, the guardian starts without one.
     */
    public static final String SHARED_ARCHIVE_PROPERTY = "qmp4j.guardian.sharedArchive";

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, String> armed = new LinkedHashMap<>(); // guarded by this
    private ProcessHandle process; // guarded by this
    private OutputStream commands; // guarded by this
    private CompletableFuture<Long> ready; // guarded by this

    private ThawGuardian() {
    }

    /** The guardian of this JVM. */
    public static ThawGuardian shared() {
        return SHARED;
    }

    /**
     * Starts the guardian unless it runs; never blocks. Completes with its pid once its stdin is
     * open: from then on an armed line waits in the pipe for it, even if this process dies.
     */
    public synchronized CompletableFuture<Long> start() {
        if (ready != null && !ready.isDone()) {
            return ready; // starting
        }
        if (ready != null && !ready.isCompletedExceptionally() && alive()) {
            return ready;
        }
        CompletableFuture<Long> starting = new CompletableFuture<>();
        ready = starting;
        process = null;
        closeQuietly(commands);
        commands = null;
        Thread launcher = new Thread(() -> launch(starting), "qmp4j-guardian");
        launcher.setDaemon(true);
        launcher.start();
        return starting;
    }

    /** The guardian's pid, when it runs. */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /**
     * Arms a freeze of the agent at {@code agent}: should this process die before
     * {@link Arming#disarm()}, the guardian thaws it, trying for up to {@code thawBudget}.
     *
     * @throws FreezeException if the guardian does not run (not started, or dead)
     */
    public Arming arm(Endpoint agent, Duration thawBudget) {
        String where = agent.toString();
        if (where.indexOf('\n') >= 0 || where.indexOf('\r') >= 0) {
            throw new FreezeException("the thaw guardian cannot guard an agent socket whose name has a line break", null);
        }
        long id = ids.incrementAndGet();
        String line = "ARM " + id + " " + thawBudget.toMillis() + " " + where;
        synchronized (this) {
            armed.put(id, line);
            try {
                send(line);
            } catch (IOException | IllegalStateException e) {
                armed.remove(id);
                throw new FreezeException("the thaw guardian is not running (" + e.getMessage()
                        + "): refusing a freeze that would not survive this process", e);
            }
        }
        return new Arming(id);
    }

    /** One armed freeze. */
    public final class Arming {
        private final long id;

        private Arming(long id) {
            this.id = id;
        }

        /** The freeze is thawed and confirmed: the guardian forgets it. */
        public void disarm() {
            synchronized (ThawGuardian.this) {
                if (armed.remove(id) == null) {
                    return;
                }
                try {
                    send("DISARM " + id);
                } catch (IOException | IllegalStateException e) {
                    LOG.debug("thaw guardian gone while disarming {}: {}", id, e.toString());
                }
            }
        }
    }

    /** Whether the guardian reads its stdin: a write to a pipe nobody reads fails at once. */
    private boolean alive() {
        try {
            send("PING");
            return true;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    private void send(String line) throws IOException {
        if (commands == null) {
            throw new IllegalStateException("no guardian process");
        }
        try {
            commands.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
        } catch (IOException e) {
            closeQuietly(commands); // it is gone: the next start() starts another
            commands = null;
            process = null;
            throw e;
        }
    }

    private void launch(CompletableFuture<Long> starting) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("qmp4j-guardian-"); // owner-only
            Path fifo = dir.resolve("in");
            Process shell = new ProcessBuilder(command(fifo)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String pidLine;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(),
                    StandardCharsets.UTF_8))) {
                pidLine = out.readLine();
            }
            if (!shell.waitFor(10, TimeUnit.SECONDS) || shell.exitValue() != 0 || pidLine == null) {
                throw new IOException("the shell that starts it failed (status "
                        + (shell.isAlive() ? "running" : shell.exitValue()) + ")");
            }
            long pid = Long.parseLong(pidLine.trim());
            // Opens once the guardian's side has it open for reading: from then on, lines wait in the pipe.
            OutputStream toGuardian = new FileOutputStream(fifo.toFile());
            Files.delete(fifo);
            synchronized (this) {
                if (ready != starting) {
                    closeQuietly(toGuardian); // superseded: end-of-file with nothing armed ends it
                    return;
                }
                commands = toGuardian;
                process = ProcessHandle.of(pid).orElse(null);
                for (String arm : armed.values()) {
                    send(arm); // armed while no guardian ran, or before its predecessor died
                }
            }
            LOG.debug("thaw guardian started, pid {}", pid);
            starting.complete(pid);
        } catch (IOException | RuntimeException e) {
            starting.completeExceptionally(new FreezeException("cannot start the thaw guardian: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            starting.completeExceptionally(new FreezeException("interrupted while starting the thaw guardian", e));
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve("in"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", dir, e.toString());
        }
    }

    private static void closeQuietly(OutputStream out) {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            // it is gone either way
        }
    }

    /**
     * The guardian's command line: a shell makes the FIFO that will be the guardian's stdin,
     * starts the guardian in the background reading it, prints its pid and exits. The guardian is
     * a small, quick JVM: it only waits, and then makes a few agent round trips.
     */
    private static List<String> command(Path fifo) {
        List<String> command = new ArrayList<>();
        command.add("/bin/sh");
        command.add("-c");
        // Ctrl-C and a closed terminal are meant for the controller: ignored from the fork on
        // (the JVM keeps signals ignored at its start ignored, as under nohup)
        command.add("trap '' INT HUP; f=$1; shift; mkfifo -m 600 \"$f\" || exit 1; "
                + "\"$@\" <\"$f\" >/dev/null & echo $!");
        command.add("qmp4j-guardian");
        command.add(fifo.toString());
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // measured on the CLI's jar: stdin open about 80 ms after the start, about 45 MiB resident
        for (String option : List.of("-Xmx16m", "-Xms4m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=8m", "-XX:MaxMetaspaceSize=48m",
                "-XX:-UsePerfData")) {
            command.add(option);
        }
        String archive = System.getProperty(SHARED_ARCHIVE_PROPERTY);
        if (archive != null && !archive.isBlank() && Files.isRegularFile(Path.of(archive))) {
            // the CLI's class-data-sharing archive: its classes are the guardian's too
            command.add("-XX:SharedArchiveFile=" + archive);
            command.add("-Xlog:cds=off");
            command.add("-Xlog:cds+dynamic=off");
        }
        command.add("-Dio.netty.allocator.type=unpooled");
        command.add("-Dslf4j.internal.verbosity=ERROR");
        command.add("-cp");
        command.add(classPath());
        command.add(ThawGuardianMain.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        return command;
    }

    private static String classPath() {
        String override = System.getProperty(CLASSPATH_PROPERTY);
        if (override != null && !override.isBlank()) {
            return override;
        }
        List<String> parts = new ArrayList<>();
        for (String property : List.of("java.class.path", "jdk.module.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                parts.add(value);
            }
        }
        return String.join(File.pathSeparator, parts);
    }
}
