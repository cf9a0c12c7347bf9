package org.qmp4j.qga;

import org.qmp4j.core.CommandException;

/**
 * The agent refused a command because the guest's file systems are frozen: while frozen it accepts
 * only ping, info, sync, fsfreeze-status and fsfreeze-thaw. A passing state, not a missing
 * command: the same command works again after the thaw. (QEMU 7.2 says "the agent is in frozen
 * state"; QEMU 10 says "the command is not allowed", as for a blocked command, and the client asks
 * {@code guest-fsfreeze-status} to tell the two apart.)
 */
public class GuestFrozenException extends CommandException {
    private static final long serialVersionUID = 1L;

    /** @param cause the agent's refusal */
    public GuestFrozenException(CommandException cause) {
        super(cause);
    }

    @Override
    public String getMessage() {
        return command() + " was refused because the guest is frozen (it works again after a thaw): "
                + errorClass() + ": " + description();
    }
}
