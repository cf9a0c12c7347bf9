package org.qmp4j.qga;

import org.qmp4j.core.Qmp4jException;

/**
 * A freeze could not be taken: the guest was already frozen, the agent refused, or the freeze
 * timed out (in which case the guest was thawed again before this was thrown).
 */
public class FreezeException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public FreezeException(String message, Throwable cause) {
        super(message, cause);
    }
}
