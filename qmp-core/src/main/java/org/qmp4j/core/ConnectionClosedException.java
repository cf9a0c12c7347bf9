package org.qmp4j.core;

/**
 * The connection is closed, or closed while a command was waiting for its reply. The cause, when
 * there is one, says why: the peer hung up (EOF), a {@link ProtocolException}, an I/O error, or the
 * caller closed the client.
 */
public class ConnectionClosedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }

    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
