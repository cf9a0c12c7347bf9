package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * A merge failed or was cancelled. Every file is kept: the disk still reads through the overlay
 * it had, and nothing was deleted. A commit that had started may already have copied part of the
 * overlay into the backing image (a cancel does not undo that; the message says how much): that
 * image is then consistent only beneath the overlay, not on its own.
 */
public class MergeFailedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public MergeFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
