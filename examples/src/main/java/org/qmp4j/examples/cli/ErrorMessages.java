package org.qmp4j.examples.cli;

import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.snapshot.SnapshotFailedException;

/** What the CLI prints on stderr for a failure: one line, plus a list of what is left behind, if anything. */
final class ErrorMessages {
    /** Heads the list of what a failed snapshot could not undo. */
    static final String NOT_UNDONE_HEADER = "NOT UNDONE - check and clean up by hand:";

    private ErrorMessages() {
    }

    /**
     * {@code error: CLASS: DESC} for error replies, {@code error: MESSAGE} otherwise. A snapshot
     * that could not undo everything gets, after that line, {@link #NOT_UNDONE_HEADER} and one
     * line {@code "  - WHAT"} per thing left behind. No trailing newline.
     */
    static String of(Throwable failure) {
        Throwable t = Blocking.unwrap(failure);
        if (t instanceof CommandException e) {
            return "error: " + e.errorClass() + ": " + e.description();
        }
        if (t instanceof SnapshotFailedException e && !e.fullyUndone()) {
            return notUndone(e);
        }
        if (ExitCode.of(t) == ExitCode.TIMEOUT && !(t instanceof CliException)) {
            return "error: timeout: " + t.getMessage();
        }
        if (ExitCode.of(t) == ExitCode.INTERNAL_ERROR || t.getMessage() == null) {
            return "error: " + t;
        }
        return "error: " + t.getMessage();
    }

    private static String notUndone(SnapshotFailedException e) {
        // The message ends with the same list on one line; it is shown one per line below instead.
        String message = e.getMessage();
        String inline = "; COULD NOT UNDO: " + String.join(", ", e.notUndone());
        if (message.endsWith(inline)) {
            message = message.substring(0, message.length() - inline.length());
        }
        StringBuilder s = new StringBuilder("error: ").append(message).append('\n').append(NOT_UNDONE_HEADER);
        e.notUndone().forEach(line -> s.append("\n  - ").append(line));
        return s.toString();
    }
}
