package org.qmp4j.core;

/**
 * File descriptors could not be sent with a command: the connection is not a UNIX socket, or the
 * socket refused them. The command was not sent; the caller still owns the descriptors.
 */
public class FdPassingException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public FdPassingException(String message, Throwable cause) {
        super(message, cause);
    }
}
