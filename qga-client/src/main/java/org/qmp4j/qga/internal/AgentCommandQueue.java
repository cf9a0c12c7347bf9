package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.qga.AgentCommandDisabledException;
import org.qmp4j.qga.AgentCommandNotSupportedException;
import org.qmp4j.qga.GuestFrozenException;
import org.qmp4j.qga.GuestAgentAbsentException;

/**
 * Sends agent commands one at a time and keeps the channel in step: a command that timed out
 * leaves the channel out of sync (its reply may still come), so the next command is preceded by
 * a resynchronisation. Errors for commands the agent lacks are turned into
 * {@link AgentCommandNotSupportedException}.
 */
final class AgentCommandQueue {
    private static final byte[] RESYNC_BYTE = {(byte) 0xFF};

    private final ProtocolConnection connection;
    private final ResyncGate gate;
    private final Duration syncTimeout;
    private final Object lock = new Object();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private volatile boolean needsResync = true;

    AgentCommandQueue(ProtocolConnection connection, ResyncGate gate, Duration syncTimeout) {
        this.connection = connection;
        this.gate = gate;
        this.syncTimeout = syncTimeout;
    }

    /** Queues a command; it is sent once every earlier one finished. */
    CompletableFuture<JsonNode> submit(String command, ObjectNode arguments, Duration timeout) {
        return enqueue(() -> ensureSynced().thenCompose(v -> send(command, arguments, timeout)));
    }

    /** Queues a resynchronisation (the presence check): fails if the agent does not answer in time. */
    CompletableFuture<Void> sync() {
        return enqueue(this::resync);
    }

    private <T> CompletableFuture<T> enqueue(java.util.function.Supplier<CompletableFuture<T>> step) {
        synchronized (lock) {
            CompletableFuture<T> result = tail.handle((v, e) -> null).thenCompose(v -> step.get());
            tail = result;
            return result;
        }
    }

    private CompletableFuture<Void> ensureSynced() {
        return needsResync ? resync() : CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<JsonNode> send(String command, ObjectNode arguments, Duration timeout) {
        return connection.send(command, arguments, CommandOptions.timeout(timeout), false)
                .handle((value, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(value);
                    }
                    Throwable cause = Blocking.unwrap(error);
                    if (cause instanceof CommandTimeoutException || cause instanceof FrameTooLargeException) {
                        needsResync = true; // what comes next on the channel may belong to this command
                    }
                    if (cause instanceof CommandException ce && isRefusal(ce)) {
                        return classify(ce, timeout).thenCompose(CompletableFuture::<JsonNode>failedFuture);
                    }
                    return CompletableFuture.<JsonNode>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    /** A command the agent does not run: unknown, disabled by its configuration, or refused while frozen. */
    private static boolean isRefusal(CommandException e) {
        return "CommandNotFound".equals(e.errorClass()) || "CommandDisabled".equals(e.errorClass());
    }

    /**
     * What a refusal means. Unknown commands are "not found"; QEMU 7.2's frozen agent says "frozen";
     * QEMU 10's says "not allowed", exactly as for a command its allow/block list disables, so then
     * {@code guest-fsfreeze-status} tells the two apart. It is sent at once, outside the queue: this
     * command still holds the queue's turn, so nothing can come between.
     */
    private CompletableFuture<Throwable> classify(CommandException refusal, Duration timeout) {
        String desc = refusal.description();
        if (desc.contains("has not been found") || !desc.contains("disabled") && !desc.contains("not allowed")
                && !desc.contains("frozen")) {
            return CompletableFuture.completedFuture(new AgentCommandNotSupportedException(refusal));
        }
        if (desc.contains("frozen")) {
            return CompletableFuture.completedFuture(new GuestFrozenException(refusal));
        }
        if (refusal.command().equals("guest-fsfreeze-status")) {
            return CompletableFuture.completedFuture(new AgentCommandDisabledException(refusal));
        }
        return connection.send("guest-fsfreeze-status", null, CommandOptions.timeout(timeout), false)
                .handle((status, error) -> error == null && "frozen".equals(status.asText())
                        ? new GuestFrozenException(refusal)
                        // thawed, or it cannot say that it is frozen: take the refusal's words
                        : new AgentCommandDisabledException(refusal));
    }

    /** {@code 0xFF}, then {@code guest-sync-delimited} with a random token; the gate drops all before its reply. */
    private CompletableFuture<Void> resync() {
        long token = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
        needsResync = true;
        return connection.writeRaw(RESYNC_BYTE, gate::beginSync)
                .thenCompose(v -> connection.send("guest-sync-delimited", Json.toArguments(Map.of("id", token)),
                        CommandOptions.timeout(syncTimeout), true))
                .handle((value, error) -> {
                    if (error != null) {
                        Throwable cause = Blocking.unwrap(error);
                        if (cause instanceof CommandTimeoutException) {
                            throw new GuestAgentAbsentException("no guest agent answered on "
                                    + connection.settings().endpoint() + " within " + syncTimeout.toMillis()
                                    + " ms", cause);
                        }
                        throw cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
                    }
                    if (value == null || !value.canConvertToLong() || value.asLong() != token) {
                        throw new ProtocolException("guest-sync-delimited returned " + value + ", expected " + token);
                    }
                    needsResync = false;
                    return null;
                });
    }
}
