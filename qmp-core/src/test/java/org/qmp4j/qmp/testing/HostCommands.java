package org.qmp4j.qmp.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host command for a test and returns its stdout; fails with its output on a non-zero exit. */
public final class HostCommands {
    private HostCommands() {
    }

    /** Runs {@code command}, waits at most {@code timeout}, returns stdout; throws on failure. */
    public static String run(Duration timeout, String... command) {
        Result r = exec(timeout, command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + r.exitCode()
                    + ":\n" + r.stdout() + r.stderr());
        }
        return r.stdout();
    }

    /** The outcome of a command. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code command} and returns its exit code and output, whatever the exit code. */
    public static Result exec(Duration timeout, String... command) {
        Process p = null;
        try {
            p = new ProcessBuilder(List.of(command)).start();
            p.getOutputStream().close();
            Process proc = p;
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(proc.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(proc.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command[0], e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
