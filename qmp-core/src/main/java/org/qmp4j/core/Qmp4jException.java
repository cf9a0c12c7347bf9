package org.qmp4j.core;

/**
 * Root of every exception qmp4j throws. Unchecked: callers catch the subtypes they can act on
 * ({@link CommandException}, {@link CommandTimeoutException}, {@link ConnectionClosedException},
 * {@link ProtocolException}, ...) and let the rest propagate.
 */
public class Qmp4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Qmp4jException(String message) {
        super(message);
    }

    public Qmp4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
