package org.qmp4j.qmp;

/**
 * A command with its arguments, encoded once by {@link QmpClient#prepare} and sent later by
 * {@link QmpClient#executeAsync(PreparedCommand, org.qmp4j.core.CommandOptions)} with nothing
 * left to encode: for a command whose moment counts, such as a snapshot's {@code transaction}
 * inside the guest's freeze window. Immutable; it may be sent any number of times, by any client.
 */
public interface PreparedCommand {
    /** The command's name, e.g. {@code transaction}. */
    String name();
}
