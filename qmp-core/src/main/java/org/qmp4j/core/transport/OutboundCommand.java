package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileDescriptor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A command on its way to the peer and, once written, waiting for its reply. Created on the
 * caller's thread. Its id is set once, before anyone else can see the command; completion is
 * thread-safe, and whoever removes it from the {@link InFlightRegistry} completes it.
 */
public final class OutboundCommand {
    private final String name;
    private final ObjectNode arguments;
    private final EncodedCommand encoded;
    private final boolean oob;
    private final Duration timeout;
    private final FileDescriptor[] fds;
    private final CompletableFuture<JsonNode> result = new CompletableFuture<>();
    private long id;
    private volatile Future<?> timeoutTask;

    public OutboundCommand(String name, ObjectNode arguments, boolean oob, Duration timeout, FileDescriptor[] fds) {
        this(name, arguments, null, oob, timeout, fds);
    }

    /** A command encoded ahead of time: only its id is added when it is written. */
    OutboundCommand(EncodedCommand encoded, Duration timeout) {
        this(encoded.name(), null, encoded, false, timeout, null);
    }

    private OutboundCommand(String name, ObjectNode arguments, EncodedCommand encoded, boolean oob, Duration timeout,
                            FileDescriptor[] fds) {
        this.name = name;
        this.arguments = arguments;
        this.encoded = encoded;
        this.oob = oob;
        this.timeout = timeout;
        this.fds = fds == null || fds.length == 0 ? null : fds.clone();
    }

    public String name() {
        return name;
    }

    ObjectNode arguments() {
        return arguments;
    }

    /** The command as encoded ahead of time, or {@code null} (then it is encoded from its arguments). */
    EncodedCommand encoded() {
        return encoded;
    }

    boolean oob() {
        return oob;
    }

    public Duration timeout() {
        return timeout;
    }

    /** File descriptors to send with the command's bytes, or {@code null}. */
    FileDescriptor[] fds() {
        return fds;
    }

    /** Completes with the reply's {@code return} value, or fails. */
    public CompletableFuture<JsonNode> result() {
        return result;
    }

    long id() {
        return id;
    }

    void assignId(long id) {
        this.id = id;
    }

    void timeoutTask(Future<?> task) {
        this.timeoutTask = task;
    }

    /** Completes the command; false if it was already completed. Cancels its timer. */
    boolean succeed(JsonNode value) {
        cancelTimer();
        return result.complete(value);
    }

    boolean fail(Throwable cause) {
        cancelTimer();
        return result.completeExceptionally(cause);
    }

    void cancelTimer() {
        Future<?> task = timeoutTask;
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public String toString() {
        return name + "#" + id;
    }
}
