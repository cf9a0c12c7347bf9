package org.qmp4j.examples.cli;

import java.util.Objects;

/**
 * A failure a subcommand reports with its own message and exit code, e.g. "got 0 of 1 events
 * within 2s". The CLI prints {@code error: MESSAGE} on stderr and exits with the code.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public CliException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    /** The exit code the CLI ends with. */
    public ExitCode exitCode() {
        return exitCode;
    }
}
