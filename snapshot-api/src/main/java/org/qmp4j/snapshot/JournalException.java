package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * The operation journal refused or failed: an unfinished operation of this VM is on record (run
 * {@link LiveSnapshots#recover()} first), another process works on the VM now, or the state
 * directory cannot be written. Nothing was changed on the VM when this is thrown before a start.
 */
public class JournalException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message, null);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
