package org.qmp4j.core;

import java.time.Duration;

/**
 * A command got no reply within its deadline. The connection stays usable; a reply that arrives
 * later is dropped. The command may still have run on the peer: QMP commands are not idempotent,
 * so nothing is retried.
 */
public class CommandTimeoutException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final Duration timeout;

    public CommandTimeoutException(String command, Duration timeout) {
        this(command, timeout, command + ": no reply within " + timeout.toMillis() + " ms");
    }

    public CommandTimeoutException(String command, Duration timeout, String message) {
        super(message);
        this.command = command;
        this.timeout = timeout;
    }

    /** The command (or awaited event) that timed out. */
    public String command() {
        return command;
    }

    /** The deadline that passed. */
    public Duration timeout() {
        return timeout;
    }
}
