package org.qmp4j.qga;

import org.qmp4j.core.Qmp4jException;

/**
 * The guest could not be confirmed thawed after every retry: its file systems MAY STILL BE
 * FROZEN. An operator must look at it (or retry {@link GuestAgentClient#fsfreezeThaw()}).
 */
public class ThawFailedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public ThawFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
