package org.qmp4j.qga.internal;

import java.io.BufferedReader;
import java.io.Closeable;
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
import java.util.concurrent.ThreadLocalRandom;
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
 * that only this JVM writes, and exits once this JVM has opened it; so no thread of this JVM
 * waits on the guardian. (A JVM that ends with a thread blocked in native code, such as the reaper
 * of a child process, first waits 300 ms for it: measured, that was the guardian's whole cost to a
 * CLI snapshot. And the JDK closes a child's pipes when the child ends, which is the shell's
 * soon.) The FIFO is removed as soon as both ends are open. A controller that dies in the middle
 * of a launch leaves neither a process nor a file: the shell cleans up (see {@code command}). The
 * guardian's death shows on the next write to it.
 *
 * <p>With {@link #LAZY_PROPERTY} the guardian is a shell until it is needed: it keeps what is
 * armed, and only at end-of-file with something armed does it start the Java guardian, handing
 * it the armed lines. A short-lived controller (the CLI) then pays for no second JVM per command.
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
    /**
     * {@code true}: the guardian waits as a shell, not a JVM, and starts the JVM that thaws only
     * when this process ended with a freeze armed (see {@link #command}). For short-lived
     * controllers such as the CLI, which would otherwise start a second JVM for every command;
     * the price is a slower rescue (the JVM's start-up comes before the thaw).
     */
    public static final String LAZY_PROPERTY = "qmp4j.guardian.lazy";
    /** The name (the shell's {@code $0}) of a lazy guardian's waiting shell, which tests find it by. */
    public static final String LAZY_NAME = "qmp4j-guardian-watch";
    /**
     * The lazy guardian's shell: keeps the ARM lines not yet disarmed (PING lines are only a
     * liveness check) and, at end-of-file with some left, hands them to the Java guardian, which
     * thaws at once since its input ends there. It only reads and compares: nothing it reads is
     * run or expanded.
     */
    private static final String LAZY_WATCH = "IFS='\n'; set -f; armed=; "
            + "while IFS= read -r line; do case $line in "
            + "'ARM '*) armed=\"$armed$line\n\" ;; "
            + "'DISARM '*) id=${line#DISARM }; kept=; "
            + "for a in $armed; do case $a in \"ARM $id \"*) ;; *) kept=\"$kept$a\n\" ;; esac; done; armed=$kept ;; "
            + "esac; done; "
            + "[ -n \"$armed\" ] || exit 0; printf '%s' \"$armed\" | exec \"$@\"";

    private final LaunchObserver observer;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, String> armed = new LinkedHashMap<>(); // guarded by this
    private ProcessHandle process; // guarded by this
    private OutputStream commands; // guarded by this
    private CompletableFuture<Long> ready; // guarded by this

    private ThawGuardian() {
        this((step, fifo) -> { });
    }

    /** A guardian of its own whose launches report each step to {@code observer} (for tests). */
    ThawGuardian(LaunchObserver observer) {
        this.observer = observer;
    }

    /** The steps of a launch, in order. */
    enum LaunchStep {
        /** The shell that makes the FIFO and forks the guardian runs. */
        SHELL_STARTED,
        /** The guardian is forked; it waits for this JVM to open the FIFO. */
        PID_READ,
        /** Both ends of the FIFO are open. */
        FIFO_OPEN,
        /** The FIFO's name is removed; the shell has not been told yet. */
        FIFO_REMOVED
    }

    /** Sees a launch reach each {@link LaunchStep}, on the launching thread. */
    @FunctionalInterface
    interface LaunchObserver {
        void reached(LaunchStep step, Path fifo);
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
        Path fifo = Path.of(System.getProperty("java.io.tmpdir"), "qmp4j-guardian-" + ProcessHandle.current().pid()
                + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)); // mkfifo refuses a taken name
        Process shell = null;
        OutputStream toGuardian = null;
        boolean handedOver = false;
        try {
            shell = new ProcessBuilder(command(fifo)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            observer.reached(LaunchStep.SHELL_STARTED, fifo);
            long pid = guardianPid(shell);
            observer.reached(LaunchStep.PID_READ, fifo);
            // Opens once the guardian's side has it open for reading: from then on, lines wait in the pipe.
            toGuardian = new FileOutputStream(fifo.toFile());
            observer.reached(LaunchStep.FIFO_OPEN, fifo);
            Files.delete(fifo);
            observer.reached(LaunchStep.FIFO_REMOVED, fifo);
            release(shell);
            synchronized (this) {
                if (ready != starting) {
                    return; // superseded: end-of-file with nothing armed ends it (finally closes it)
                }
                commands = toGuardian;
                handedOver = true;
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
            if (!handedOver) {
                closeQuietly(toGuardian); // a guardian that got no controller reads end-of-file and ends
            }
            if (shell != null) {
                closeQuietly(shell.getOutputStream()); // a shell still waiting removes what is left (see command)
            }
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", fifo, e.toString());
            }
        }
    }

    /** The pid the shell prints once the guardian's process is forked. */
    private static long guardianPid(Process shell) throws IOException, InterruptedException {
        String line = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (line == null) {
            throw new IOException("the shell that starts it failed (status "
                    + (shell.waitFor(10, TimeUnit.SECONDS) ? shell.exitValue() : "running") + ")");
        }
        return Long.parseLong(line.trim());
    }

    /** Both ends of the FIFO are open and its name is gone: the shell may end. */
    private static void release(Process shell) throws IOException, InterruptedException {
        shell.getOutputStream().close();
        if (!shell.waitFor(10, TimeUnit.SECONDS) || shell.exitValue() != 0) {
            throw new IOException("the shell that starts it did not end well (status "
                    + (shell.isAlive() ? "running" : shell.exitValue()) + ")");
        }
        closeQuietly(shell.getInputStream());
    }

    private static void closeQuietly(Closeable stream) {
        if (stream == null) {
            return;
        }
        try {
            stream.close();
        } catch (IOException e) {
            // it is gone either way
        }
    }

    /**
     * The guardian's command line: a shell makes the FIFO that will be the guardian's stdin,
     * starts the guardian in the background reading it, and prints its pid. It then waits for its
     * own stdin to close: closed by this JVM once both ends of the FIFO are open and its name is
     * removed, or by the kernel when this JVM dies first. A FIFO still there then means the launch
     * never finished: the shell ends the guardian (until this JVM opens its end, that is a
     * subshell blocked in opening the FIFO, which nothing else would ever release) and removes
     * the FIFO, so that a controller killed at any point of a launch leaves nothing behind. The
     * guardian is a small, quick JVM: it only waits, and then makes a few agent round trips.
     */
    private static List<String> command(Path fifo) {
        List<String> command = new ArrayList<>();
        command.add("/bin/sh");
        command.add("-c");
        // Ctrl-C and a closed terminal are meant for the controller: ignored from the fork on
        // (the JVM keeps signals ignored at its start ignored, as under nohup). SIGPIPE is ignored
        // after the fork, so that the shell outlives a dead controller's closed pipe and cleans up.
        command.add("trap '' INT HUP; f=$1; shift; mkfifo -m 600 \"$f\" || exit 1; "
                + "\"$@\" <\"$f\" >/dev/null & g=$!; trap '' PIPE; echo $g; read -r _; "
                + "if [ -p \"$f\" ]; then kill $g 2>/dev/null; rm -f \"$f\"; fi; exit 0");
        command.add("qmp4j-guardian");
        command.add(fifo.toString());
        if (Boolean.getBoolean(LAZY_PROPERTY)) {
            command.add("/bin/sh");
            command.add("-c");
            command.add(LAZY_WATCH);
            command.add(LAZY_NAME);
        }
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
