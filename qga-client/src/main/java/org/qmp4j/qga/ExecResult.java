package org.qmp4j.qga;

import java.nio.charset.StandardCharsets;

/**
 * How a program run with {@code guest-exec} ended, with its decoded output.
 *
 * @param pid the guest process id
 * @param exitCode the exit code, or {@code null} when it was killed by a signal
 * @param signal the signal that ended it, or {@code null}
 * @param stdout captured stdout (empty when not captured)
 * @param stderr captured stderr
 * @param stdoutTruncated whether the agent cut stdout short
 * @param stderrTruncated whether the agent cut stderr short
 */
public record ExecResult(long pid, Integer exitCode, Integer signal, byte[] stdout, byte[] stderr,
                         boolean stdoutTruncated, boolean stderrTruncated) {

    /** stdout as UTF-8 text. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** stderr as UTF-8 text. */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** Whether the program exited with code 0. */
    public boolean succeeded() {
        return exitCode != null && exitCode == 0;
    }
}
