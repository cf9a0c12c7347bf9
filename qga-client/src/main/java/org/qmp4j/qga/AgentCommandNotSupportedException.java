package org.qmp4j.qga;

import org.qmp4j.core.CommandException;

/**
 * The agent does not offer this command: it does not know it ({@code CommandNotFound}), or its
 * configuration disables it ({@link AgentCommandDisabledException}). A refusal because the guest is
 * frozen is a {@link GuestFrozenException} instead.
 */
public class AgentCommandNotSupportedException extends CommandException {
    private static final long serialVersionUID = 1L;

    public AgentCommandNotSupportedException(CommandException cause) {
        super(cause);
    }

    @Override
    public String getMessage() {
        return command() + " is not supported by this agent: " + errorClass() + ": " + description();
    }
}
