package org.qmp4j.core;

/**
 * The calling thread was interrupted while it waited for a reply or a close. The thread's
 * interrupt flag is set again; the command itself may still run in QEMU or the guest.
 */
public final class WaitInterruptedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    /** @param cause the interrupt that ended the wait */
    public WaitInterruptedException(InterruptedException cause) {
        super("interrupted while waiting for a reply (the command may still run)", cause);
    }
}
