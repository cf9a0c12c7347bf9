package org.qmp4j.qmp;

import java.time.Duration;
import org.qmp4j.core.CommandTimeoutException;

/**
 * The command of {@link QmpClient#executeAndAwaitEvent} was answered, but the awaited event did
 * not arrive within its deadline. A {@link CommandTimeoutException}, as the wait belongs to the
 * command; {@link #command()} names the command.
 */
public class EventTimeoutException extends CommandTimeoutException {
    private static final long serialVersionUID = 1L;

    /**
     * @param command the command that was run
     * @param timeout the deadline that passed
     */
    public EventTimeoutException(String command, Duration timeout) {
        super(command, timeout, command + ": the awaited event did not arrive within " + timeout.toMillis() + " ms");
    }
}
