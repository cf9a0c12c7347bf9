package org.qmp4j.qmp;

import org.qmp4j.core.Qmp4jException;

/**
 * A command needs a QMP capability (such as {@code oob}) that this connection did not negotiate:
 * the client did not ask for it, or QEMU did not offer it. Nothing was sent.
 */
public class CapabilityNotNegotiatedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    private final String capability;

    /**
     * @param capability the capability, as QMP names it
     * @param message what could not be done without it
     */
    public CapabilityNotNegotiatedException(String capability, String message) {
        super(message);
        this.capability = capability;
    }

    /** The capability that is missing. */
    public String capability() {
        return capability;
    }
}
