package org.qmp4j.snapshot.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qmp4j.snapshot.ImageException;

/**
 * Runs a short host program with a deadline and collects its output. A program that does not end
 * in time is killed; nothing it does can hang the caller past the deadline (plus a moment).
 */
final class ProcessRunner {
    /** How long to wait for the output readers once the process has ended or was killed. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);

    /** What a program printed, and how it ended. */
    record Output(int exitCode, String stdout, String stderr) {
    }

    private ProcessRunner() {
    }

    /**
     * Runs {@code command}; returns its output whatever the exit code.
     *
     * @throws ImageException if it cannot be started, does not end within {@code timeout}, or the
     *         caller is interrupted (the process is killed in both cases)
     */
    static Output run(List<String> command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ImageException("cannot run " + command + ": " + e.getMessage(), e);
        }
        try {
            // Both pipes are read while it runs: a full pipe would otherwise stall the program.
            CompletableFuture<String> stdout = drain(process.getInputStream(), "stdout");
            CompletableFuture<String> stderr = drain(process.getErrorStream(), "stderr");
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ImageException(command + " did not end within " + timeout + "; killed it");
            }
            return new Output(process.exitValue(), collect(stdout), collect(stderr));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + command + "; killed it", e);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream in, String name) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "qmp4j-process-" + name);
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    private static String collect(CompletableFuture<String> text) throws InterruptedException {
        try {
            return text.get(DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // A child that inherited the pipe may keep it open; the exit code still counts.
            return "(output unavailable: " + e + ")";
        }
    }
}
