package org.qmp4j.examples.cli;

import org.qmp4j.qmp.CommandException;

/** The one line the CLI prints on stderr for a failure. */
final class ErrorMessages {
    private ErrorMessages() {
    }

    /** {@code error: CLASS: DESC} for QEMU's error replies, {@code error: MESSAGE} otherwise. */
    static String of(Throwable failure) {
        Throwable t = ExitCode.unwrap(failure);
        if (t instanceof CommandException e) {
            return "error: " + e.errorClass() + ": " + e.description();
        }
        if (ExitCode.of(t) == ExitCode.TIMEOUT && !(t instanceof CliException)) {
            return "error: timeout: " + t.getMessage();
        }
        if (ExitCode.of(t) == ExitCode.INTERNAL_ERROR || t.getMessage() == null) {
            return "error: " + t;
        }
        return "error: " + t.getMessage();
    }
}
