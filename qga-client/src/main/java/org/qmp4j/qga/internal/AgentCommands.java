package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** How the client's parts send an agent command: through the one queue, with a deadline. */
@FunctionalInterface
interface AgentCommands {
    /** Queues {@code command} ({@code arguments} as for {@code Json.toArguments}, may be null). */
    CompletableFuture<JsonNode> submit(String command, Object arguments, Duration timeout);
}
