package org.qmp4j.qga.internal;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 */
public final class ThawGuardian {
    private static final Logger LOG = LoggerFactory.getLogger(ThawGuardian.class);
    private static final ThawGuardian SHARED = new ThawGuardian();
    /** Overrides the guardian's class path (default: this JVM's class and module path). */
    public static final String CLASSPATH_PROPERTY = "qmp4j.guardian.classpath";

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, String> armed = new LinkedHashMap<>(); // guarded by this
    private Process process; // guarded by this
    private OutputStream commands; // guarded by this
    private CompletableFuture<Long> ready; // guarded by this

    private ThawGuardian() {
    }

    /** The guardian of this JVM. */
    public static ThawGuardian shared() {
        return SHARED;
    }

    /**
     * Starts the guardian unless it runs; never blocks. Completes with its pid once it is ready
     * (its classes loaded, so a thaw after this process's death does not wait for them).
     */
    public synchronized CompletableFuture<Long> start() {
        if (ready != null && !ready.isCompletedExceptionally() && (process == null || process.isAlive())) {
            return ready;
        }
        CompletableFuture<Long> starting = new CompletableFuture<>();
        ready = starting;
        process = null;
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

    private void send(String line) throws IOException {
        if (commands == null || process == null || !process.isAlive()) {
            throw new IllegalStateException("no guardian process");
        }
        commands.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    private void launch(CompletableFuture<Long> starting) {
        Process started;
        try {
            started = new ProcessBuilder(command()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException | RuntimeException e) {
            starting.completeExceptionally(new FreezeException("cannot start the thaw guardian: " + e, e));
            return;
        }
        List<String> rearm;
        synchronized (this) {
            if (ready != starting) {
                started.destroy(); // superseded
                return;
            }
            process = started;
            commands = started.getOutputStream();
            rearm = new ArrayList<>(armed.values());
        }
        try (BufferedReader replies = new BufferedReader(new InputStreamReader(started.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = replies.readLine();
            if (line == null || !line.startsWith("READY")) {
                throw new IOException("the guardian did not start (" + line + ")");
            }
            synchronized (this) {
                for (String arm : rearm) {
                    send(arm);
                }
            }
            LOG.debug("thaw guardian ready, pid {}", started.pid());
            starting.complete(started.pid());
            while (replies.readLine() != null) {
                // nothing else is expected; read to notice its end
            }
        } catch (IOException | RuntimeException e) {
            starting.completeExceptionally(new FreezeException("the thaw guardian failed: " + e.getMessage(), e));
        }
        int status = waitFor(started);
        synchronized (this) {
            if (!armed.isEmpty()) {
                LOG.error("the thaw guardian (pid {}) exited with status {} while {} freeze(s) were armed",
                        started.pid(), status, armed.size());
            }
        }
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A small, quick JVM: the guardian only waits, and then makes a few agent round trips. */
    private static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx32m");
        command.add("-Xss512k");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:-UsePerfData");
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
