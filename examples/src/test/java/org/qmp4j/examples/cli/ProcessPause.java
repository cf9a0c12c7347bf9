package org.qmp4j.examples.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Freezes a process with SIGSTOP until closed (SIGCONT): its sockets still accept connections,
 * but nothing answers. Use in try-with-resources so the process always runs again.
 */
final class ProcessPause implements AutoCloseable {
    private final Process process;

    private ProcessPause(Process process) {
        this.process = process;
    }

    /** Sends SIGSTOP to {@code process}. */
    static ProcessPause pause(Process process) throws IOException, InterruptedException {
        signal(process, "STOP");
        return new ProcessPause(process);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        signal(process, "CONT");
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }
}
