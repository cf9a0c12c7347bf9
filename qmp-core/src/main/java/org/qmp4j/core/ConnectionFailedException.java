package org.qmp4j.core;

/**
 * A connection could not be established: the socket could not be reached, or the greeting and
 * capability negotiation did not complete within the connect deadline.
 */
public class ConnectionFailedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public ConnectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
