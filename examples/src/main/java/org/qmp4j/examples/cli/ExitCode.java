package org.qmp4j.examples.cli;

import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.FdPassingException;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qga.ThawFailedException;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.qmp.EventOverflowException;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.JobFailedException;
import org.qmp4j.snapshot.MemorySaveException;
import org.qmp4j.snapshot.MergeFailedException;
import org.qmp4j.snapshot.SnapshotFailedException;
import org.qmp4j.snapshot.TransactionOutcomeUnknownException;

/**
 * The exit codes of {@code qmp4j}, and which failure gets which: the one place that decides. The
 * usage text lists them from here.
 */
public enum ExitCode {
    /** The command did what was asked. */
    OK(0, "success"),
    /** Something that should not happen (a bug): the stack trace is printed. */
    INTERNAL_ERROR(1, "internal error (a bug; the stack trace is printed)"),
    /** Bad options or arguments; nothing was sent. */
    USAGE(2, "usage error: bad options or arguments, nothing was sent"),
    /** QEMU (or the guest agent) answered with an error reply. */
    QMP_ERROR(3, "QEMU or the guest agent answered with an error, printed as \"error: CLASS: DESC\""),
    /** The socket could not be reached, the peer broke the protocol, or it closed too early. */
    CONNECTION_FAILED(4, "connection failed, protocol error, or the connection closed too early"),
    /** No greeting, no reply, or not enough events within the timeout. */
    TIMEOUT(5, "timeout: no greeting, no reply, or too few events in time"),
    /** No guest agent answered within the timeout. */
    AGENT_ABSENT(6, "no guest agent answered within the timeout"),
    /** A snapshot, merge or revert failed (or was refused), and left nothing to clean up. */
    FAILED(7, "snapshot, merge or revert failed or was refused (e.g. run recover first) and left nothing "
            + "to clean up (the message says why)"),
    /** A snapshot failed and something could not be undone: stderr lists it. */
    FAILED_NOT_UNDONE(8, "snapshot failed, or recover could not finish, and something could NOT be undone "
            + "(the guest may still be frozen): stderr lists what to check");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /**
     * {@code template} with each {@code %d} in turn replaced by the next of {@code codes}: for usage
     * texts, without {@code String.format}, whose first use loads the locale data (10-20 ms of a
     * command's start-up for text that is printed only with --help or a usage error).
     */
    static String inText(String template, ExitCode... codes) {
        StringBuilder text = new StringBuilder(template.length());
        int from = 0;
        for (ExitCode code : codes) {
            int at = template.indexOf("%d", from);
            if (at < 0) {
                throw new IllegalArgumentException("fewer %d than exit codes in: " + template);
            }
            text.append(template, from, at).append(code.code());
            from = at + 2;
        }
        if (template.indexOf("%d", from) >= 0) {
            throw new IllegalArgumentException("more %d than exit codes in: " + template);
        }
        return text.append(template, from, template.length()).toString();
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** One line for the usage text. */
    public String meaning() {
        return meaning;
    }

    /**
     * The exit code for a failure, decided by its type (the first rule that matches wins). A
     * connection that failed because QEMU did not greet in time (e.g. a stopped or busy QEMU) is a
     * {@link ConnectTimeoutException}: a timeout, not a connection failure.
     */
    public static ExitCode of(Throwable failure) {
        Throwable t = Blocking.unwrap(failure);
        if (t instanceof CliException cli) {
            return cli.exitCode();
        }
        if (t instanceof SnapshotFailedException e) {
            return e.fullyUndone() ? FAILED : FAILED_NOT_UNDONE;
        }
        if (t instanceof ThawFailedException) {
            return FAILED_NOT_UNDONE; // the guest may still be frozen
        }
        if (isAny(t, MergeFailedException.class, ImageException.class, JobFailedException.class,
                MemorySaveException.class, FreezeException.class)) {
            return FAILED;
        }
        if (t instanceof GuestAgentAbsentException) {
            return AGENT_ABSENT; // before the timeout rule: absence shows as a sync that timed out
        }
        if (t instanceof CommandException) {
            return QMP_ERROR;
        }
        // command, event-wait, job and guest-exec deadlines, and the connect deadline
        if (isAny(t, CommandTimeoutException.class, ConnectTimeoutException.class)
                || t instanceof ConnectionFailedException && hasCause(t, CommandTimeoutException.class)) {
            return TIMEOUT;
        }
        if (isAny(t, InvalidArgumentsException.class, CapabilityNotNegotiatedException.class)) {
            return USAGE; // refused before anything was sent
        }
        if (isAny(t, ConnectionFailedException.class, ConnectionClosedException.class, ProtocolException.class,
                FdPassingException.class, EventOverflowException.class, TransactionOutcomeUnknownException.class)) {
            return CONNECTION_FAILED;
        }
        return INTERNAL_ERROR; // any other failure, qmp4j's own included, is not one the CLI expects
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @SafeVarargs
    private static boolean isAny(Throwable t, Class<? extends Throwable>... types) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
