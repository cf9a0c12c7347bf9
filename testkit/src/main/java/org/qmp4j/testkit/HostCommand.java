package org.qmp4j.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short host command for a test ({@code qemu-img}, {@code mkfifo}, {@code kill}, ...) and
 * returns what it printed. A command that fails, or does not end within its deadline, fails the
 * test with its output instead of being ignored.
 */
public final class HostCommand {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private HostCommand() {
    }

    /** Runs {@code command} with a 30 s deadline; returns stdout and stderr together. */
    public static String run(String... command) {
        return run(DEFAULT_TIMEOUT, command);
    }

    /** Runs {@code command}; returns stdout and stderr together. */
    public static String run(Duration timeout, String... command) {
        Path output = null;
        Process process = null;
        try {
            // A file, not a pipe: the deadline holds even if the command never closes its output.
            output = Files.createTempFile("qmp4j-cmd-", ".out");
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(List.of(command) + " did not end within " + timeout);
            }
            String text = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(List.of(command) + " exited with " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + List.of(command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + List.of(command), e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a stray temp file is not worth failing the test for
                }
            }
        }
    }
}
