package org.qmp4j.snapshot;

import java.util.List;

/**
 * A group snapshot failed. Every VM was rolled back to its own images and every guest thawed,
 * except for what {@link #notUndone()} names (each entry starts with its VM).
 */
public class GroupSnapshotFailedException extends SnapshotFailedException {
    private static final long serialVersionUID = 1L;

    private final String failedVm;

    public GroupSnapshotFailedException(String failedVm, String step, String message, Throwable cause,
                                        List<String> undone, List<String> notUndone) {
        super(step, failedVm + ": " + message, cause, undone, notUndone);
        this.failedVm = failedVm;
    }

    /** The VM whose failure failed the group (its QMP endpoint). */
    public String failedVm() {
        return failedVm;
    }
}
