package org.qmp4j.core;

/**
 * A command's arguments could not be turned into JSON (an object Jackson cannot serialise, or one
 * that is not a JSON object). Nothing was sent.
 */
public class InvalidArgumentsException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentsException(String message, Throwable cause) {
        super(message, cause);
    }
}
