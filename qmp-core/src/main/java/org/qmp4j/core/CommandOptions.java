package org.qmp4j.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Per-call settings: a deadline that overrides the connection default, and whether to send the
 * command out-of-band ({@code exec-oob}, only when OOB was negotiated). Immutable.
 */
public final class CommandOptions {
    private static final CommandOptions DEFAULTS = new CommandOptions(null, false);

    private final Duration timeout;
    private final boolean oob;

    private CommandOptions(Duration timeout, boolean oob) {
        this.timeout = timeout;
        this.oob = oob;
    }

    /** Connection defaults: the connection's command timeout, in-band. */
    public static CommandOptions defaults() {
        return DEFAULTS;
    }

    /** Connection defaults with this deadline. */
    public static CommandOptions timeout(Duration timeout) {
        return DEFAULTS.withTimeout(timeout);
    }

    /** Returns a copy with this deadline. */
    public CommandOptions withTimeout(Duration timeout) {
        Checks.positive(timeout, "timeout");
        return new CommandOptions(timeout, oob);
    }

    /** Returns a copy that sends the command with {@code exec-oob}. */
    public CommandOptions withOob(boolean oob) {
        return new CommandOptions(timeout, oob);
    }

    /** The deadline, when one was set for this call. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** Whether the command is sent out-of-band. */
    public boolean oob() {
        return oob;
    }

    @Override
    public String toString() {
        return "CommandOptions[timeout=" + timeout + ", oob=" + oob + "]";
    }
}
