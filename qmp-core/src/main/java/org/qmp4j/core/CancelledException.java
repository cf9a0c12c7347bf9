package org.qmp4j.core;

/** What the caller waited for was cancelled (e.g. an event wait whose command failed first). */
public class CancelledException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public CancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
