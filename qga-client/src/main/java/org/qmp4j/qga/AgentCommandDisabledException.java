package org.qmp4j.qga;

import org.qmp4j.core.CommandException;

/**
 * The guest's agent has this command but does not allow it: it is blocked by the agent's
 * configuration ({@code qemu-ga -b}/{@code --block-rpcs}, or missing from {@code --allow-rpcs}), as
 * some distributions ship it. Not a passing state: the guest's administrator must allow it.
 */
public class AgentCommandDisabledException extends AgentCommandNotSupportedException {
    private static final long serialVersionUID = 1L;

    /** @param cause the agent's refusal */
    public AgentCommandDisabledException(CommandException cause) {
        super(cause);
    }

    @Override
    public String getMessage() {
        return command() + " is not supported by this agent: it is disabled in this guest's agent (its allow/block "
                + "list): " + errorClass() + ": " + description();
    }
}
