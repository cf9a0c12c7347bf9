package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * The snapshot's {@code transaction} was sent but its reply never came (the connection was lost, or
 * the deadline passed): QEMU may or may not have switched the disks. Overlay files that a QEMU may
 * still have open are kept; check the VM's block graph ({@code qmp4j chain}) before anything else.
 */
public class TransactionOutcomeUnknownException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public TransactionOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
