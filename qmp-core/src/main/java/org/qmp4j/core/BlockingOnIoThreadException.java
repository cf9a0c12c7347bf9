package org.qmp4j.core;

/**
 * A blocking call was made on one of qmp4j's I/O threads, typically from a callback attached to a
 * future. Waiting there would deadlock the connection that has to deliver the reply, so the call
 * fails at once. Use the {@code *Async} methods, or move the work to another executor.
 */
public class BlockingOnIoThreadException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public BlockingOnIoThreadException() {
        super("blocking call on a qmp4j I/O thread: use the async API or another executor");
    }
}
