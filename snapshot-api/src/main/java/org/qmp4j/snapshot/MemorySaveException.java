package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * Saving the VM's memory for a snapshot ({@code migrate} to a file) failed, was cancelled, or did
 * not finish in time. The migration has been cancelled; the VM is resumed by the snapshot's undo.
 */
public class MemorySaveException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public MemorySaveException(String message) {
        super(message);
    }
}
