package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.ExecTimeoutException;

/**
 * {@code guest-exec} and the polling of {@code guest-exec-status} until the program exits: the
 * pause between polls grows from 20 ms to 500 ms and runs on the resources' timer; the request's
 * timeout ends the wait with {@link ExecTimeoutException} (the program may still run).
 */
final class ExecPoller {
    private static final Duration FIRST_POLL = Duration.ofMillis(20);
    private static final Duration MAX_POLL = Duration.ofMillis(500);

    private final AgentCommands agent;
    private final ClientResources timer;
    private final Duration commandTimeout;

    ExecPoller(AgentCommands agent, ClientResources timer, Duration commandTimeout) {
        this.agent = agent;
        this.timer = timer;
        this.commandTimeout = commandTimeout;
    }

    /** Starts the program and completes with its result once it exited, or fails at its timeout. */
    CompletableFuture<ExecResult> run(ExecRequest request) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("path", request.path());
        if (!request.args().isEmpty()) {
            args.put("arg", request.args());
        }
        if (!request.env().isEmpty()) {
            args.put("env", request.env());
        }
        byte[] input = request.input();
        if (input != null) {
            args.put("input-data", Base64.getEncoder().encodeToString(input));
        }
        args.put("capture-output", request.captureOutput());
        long deadline = System.nanoTime() + request.timeout().toNanos();
        return agent.submit("guest-exec", args, commandTimeout).thenCompose(r -> {
            if (!r.path("pid").canConvertToLong()) {
                throw new ProtocolException("guest-exec returned no pid: " + Json.excerpt(r.toString(), 200));
            }
            long pid = r.path("pid").asLong();
            CompletableFuture<ExecResult> result = new CompletableFuture<>();
            pollExec(pid, request, deadline, FIRST_POLL, result);
            return result;
        });
    }

    private void pollExec(long pid, ExecRequest request, long deadline, Duration delay,
                          CompletableFuture<ExecResult> result) {
        agent.submit("guest-exec-status", Map.of("pid", pid), commandTimeout).whenComplete((status, error) -> {
            if (error != null) {
                result.completeExceptionally(Blocking.unwrap(error));
                return;
            }
            try {
                if (status.path("exited").asBoolean(false)) {
                    result.complete(execResult(pid, status));
                    return;
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally(new ExecTimeoutException(request.path(), pid, request.timeout()));
                return;
            }
            Duration next = delay.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : delay.multipliedBy(2);
            Duration wait = Duration.ofNanos(Math.min(delay.toNanos(), left));
            try {
                timer.schedule(() -> pollExec(pid, request, deadline, next, result), wait);
            } catch (RejectedExecutionException closed) {
                result.completeExceptionally(new ConnectionClosedException("guest-exec: the agent client was closed "
                        + "while " + request.path() + " (pid " + pid + " in the guest) ran", closed));
            }
        });
    }

    private static ExecResult execResult(long pid, JsonNode status) {
        Integer exit = status.hasNonNull("exitcode")
                ? AgentReplies.integer("guest-exec-status", "exitcode", status.get("exitcode")) : null;
        Integer signal = status.hasNonNull("signal")
                ? AgentReplies.integer("guest-exec-status", "signal", status.get("signal")) : null;
        return new ExecResult(pid, exit, signal, base64(status, "out-data"), base64(status, "err-data"),
                status.path("out-truncated").asBoolean(false), status.path("err-truncated").asBoolean(false));
    }

    private static byte[] base64(JsonNode status, String field) {
        JsonNode data = status.get(field);
        if (data == null || data.isNull()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(data.asText());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("guest-exec-status: " + field + " is not base64", e);
        }
    }

}
