package org.qmp4j.core;

/**
 * The peer sent something that breaks the protocol: invalid JSON, an unexpected greeting, a reply
 * that is neither a result nor an error. A connection that sees one is closed, since nothing after
 * it can be trusted to line up.
 */
public class ProtocolException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
