package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * An operation on image files (or a snapshot's memory file) failed: {@code qemu-img} failed (its
 * stderr is in the message), an image is in use by a running QEMU, a path that must be new exists,
 * or a file could not be created or removed. The message says what was cleaned up.
 */
public class ImageException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
