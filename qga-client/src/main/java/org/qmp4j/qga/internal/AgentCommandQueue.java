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
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.qga.AgentCommandNotSupportedException;
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
                        return value;
                    }
                    Throwable cause = Blocking.unwrap(error);
                    if (cause instanceof CommandTimeoutException) {
                        needsResync = true;
                    }
                    if (cause instanceof CommandException ce && isNotSupported(ce)) {
                        throw new AgentCommandNotSupportedException(ce);
                    }
                    throw cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
                });
    }

    /**
     * Whether the agent lacks the command or has it disabled. A frozen agent answers most
     * commands with the same class ("has been disabled: the agent is in frozen state"): that is
     * a passing state, not a missing command, so it stays a plain {@link CommandException}.
     */
    private static boolean isNotSupported(CommandException e) {
        boolean notFound = "CommandNotFound".equals(e.errorClass()) || "CommandDisabled".equals(e.errorClass());
        return notFound && !e.description().contains("frozen");
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
