package org.qmp4j.qga;

import org.qmp4j.core.ConnectionFailedException;

/**
 * No guest agent answered: the agent's channel is not open in the guest, or a synchronisation
 * got no reply within the presence deadline. Writes to the agent socket succeed even when nothing
 * runs in the guest, so this is how absence shows.
 */
public class GuestAgentAbsentException extends ConnectionFailedException {
    private static final long serialVersionUID = 1L;

    public GuestAgentAbsentException(String message, Throwable cause) {
        super(message, cause);
    }
}
