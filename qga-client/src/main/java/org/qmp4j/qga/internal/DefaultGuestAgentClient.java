package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.MessageListener;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.core.transport.TransportSettings;
import org.qmp4j.qga.AgentInfo;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.ExecTimeoutException;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.FsInfo;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qga.ShutdownMode;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.qmp.ChardevInfo;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link GuestAgentClient} on the shared {@link ProtocolConnection}. */
public final class DefaultGuestAgentClient implements GuestAgentClient {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultGuestAgentClient.class);
    private static final Duration EXEC_FIRST_POLL = Duration.ofMillis(20);
    private static final Duration EXEC_MAX_POLL = Duration.ofMillis(500);

    private final ProtocolConnection connection;
    private final AgentCommandQueue queue;
    private final GuestAgentOptions options;
    private final AtomicReference<ActiveFreeze> activeFreeze = new AtomicReference<>();

    private DefaultGuestAgentClient(ProtocolConnection connection, AgentCommandQueue queue, GuestAgentOptions options) {
        this.connection = connection;
        this.queue = queue;
        this.options = options;
    }

    /** Connects, checks the channel (with QMP), synchronises. */
    public static CompletableFuture<GuestAgentClient> connect(GuestAgentOptions options) {
        // The start-up deadline covers the socket connect and then the sync, which has its own
        // deadline: a missing agent must show as absent, not as a connect timeout.
        Duration startUp = options.syncOnConnect() ? options.connectTimeout().plus(options.syncTimeout())
                : options.connectTimeout();
        TransportSettings settings = new TransportSettings(options.endpoint(), startUp,
                options.commandTimeout(), options.maxFrameBytes(), "guest agent");
        ResyncGate gate = new ResyncGate();
        return ProtocolConnection.connect(settings, options.resources().orElse(null),
                new ProtocolConnection.Protocol<GuestAgentClient>() {
                    @Override
                    public MessageListener listener(ProtocolConnection connection) {
                        return message -> LOG.debug("guest agent sent a message that is not a reply; dropped: {}",
                                Json.excerpt(message.toString(), 200));
                    }

                    @Override
                    public ChannelHandler framing(int maxFrameBytes) {
                        return new AgentFrameDecoder(maxFrameBytes);
                    }

                    @Override
                    public List<ChannelHandler> extraHandlers() {
                        return List.of(gate);
                    }

                    @Override
                    public long firstId() {
                        // Ids no earlier client of this channel can have used.
                        return ThreadLocalRandom.current().nextLong(1L << 20, 1L << 52);
                    }

                    @Override
                    public CompletableFuture<GuestAgentClient> handshake(ProtocolConnection connection) {
                        AgentCommandQueue queue = new AgentCommandQueue(connection, gate, options.syncTimeout());
                        if (!options.syncOnConnect()) {
                            connection.markReady();
                            return CompletableFuture.completedFuture(
                                    new DefaultGuestAgentClient(connection, queue, options));
                        }
                        return checkChannelOpen(options)
                                .thenCompose(v -> queue.sync())
                                .thenApply(v -> {
                                    connection.markReady();
                                    return new DefaultGuestAgentClient(connection, queue, options);
                                });
                    }
                });
    }

    /** With a QMP connection: absent at once if the guest has not opened the agent channel. */
    private static CompletableFuture<Void> checkChannelOpen(GuestAgentOptions options) {
        if (options.qmp().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        QmpClient qmp = options.qmp().get();
        return qmp.executeAsync("query-chardev", null, ChardevInfo[].class).thenAccept(chardevs -> {
            ChardevInfo agent = null;
            for (ChardevInfo c : chardevs) {
                if (matches(c, options)) {
                    agent = c;
                }
            }
            if (agent == null) {
                throw new GuestAgentAbsentException("no chardev for the agent socket " + options.endpoint()
                        + " in query-chardev" + options.chardevId().map(id -> " (id " + id + ")").orElse(""), null);
            }
            if (!agent.frontendOpen()) {
                throw new GuestAgentAbsentException("the guest has not opened the agent channel ("
                        + agent.label() + "): no agent runs in the guest", null);
            }
        });
    }

    private static boolean matches(ChardevInfo chardev, GuestAgentOptions options) {
        if (options.chardevId().isPresent()) {
            return options.chardevId().get().equals(chardev.label());
        }
        if (options.endpoint() instanceof Endpoint.Unix unix && chardev.filename() != null) {
            String f = chardev.filename();
            String path = unix.path().toString();
            return f.startsWith("unix:" + path + ",") || f.equals("unix:" + path)
                    || f.startsWith("disconnected:unix:" + path);
        }
        return false;
    }

    @Override
    public GuestAgentOptions options() {
        return options;
    }

    @Override
    public ConnectionState state() {
        return connection.state();
    }

    @Override
    public CompletableFuture<Boolean> isPresentAsync() {
        return checkChannelOpen(options).thenCompose(v -> queue.sync()).handle((v, e) -> e == null);
    }

    @Override
    public CompletableFuture<JsonNode> executeAsync(String command, Object arguments, CommandOptions call) {
        if (call.oob()) {
            return CompletableFuture.failedFuture(new CapabilityNotNegotiatedException("oob",
                    command + ": the guest agent has no out-of-band execution"));
        }
        return submit(command, arguments, call.timeout().orElse(options.commandTimeout()));
    }

    @Override
    public <T> CompletableFuture<T> executeAsync(String command, Object arguments, Class<T> type, CommandOptions call) {
        return executeAsync(command, arguments, call).thenApply(r -> Json.convert(command, r, type));
    }

    private CompletableFuture<JsonNode> submit(String command, Object arguments, Duration timeout) {
        ObjectNode args;
        try {
            args = Json.toArguments(arguments);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return queue.submit(command, args, timeout);
    }

    private <T> CompletableFuture<T> submit(String command, Object arguments, Duration timeout, Class<T> type) {
        return submit(command, arguments, timeout).thenApply(r -> Json.convert(command, r, type));
    }

    @Override
    public CompletableFuture<Void> pingAsync() {
        return submit("guest-ping", null, options.pingTimeout()).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<AgentInfo> infoAsync() {
        return submit("guest-info", null, options.commandTimeout(), AgentInfo.class);
    }

    @Override
    public CompletableFuture<List<FsInfo>> fsInfoAsync() {
        return submit("guest-get-fsinfo", null, options.commandTimeout(), FsInfo[].class).thenApply(List::of);
    }

    @Override
    public CompletableFuture<FreezeStatus> fsfreezeStatusAsync() {
        return submit("guest-fsfreeze-status", null, options.pingTimeout())
                .thenApply(r -> FreezeStatus.of(r.asText()));
    }

    @Override
    public CompletableFuture<Integer> fsfreezeThawAsync() {
        return submit("guest-fsfreeze-thaw", null, options.thawTimeout()).thenApply(JsonNode::asInt);
    }

    @Override
    public CompletableFuture<FreezeHandle> freezeAsync(FreezeOptions freeze) {
        ActiveFreeze handle = new ActiveFreeze(new ActiveFreeze.ThawOps() {
            @Override
            public CompletableFuture<Integer> thaw() {
                return fsfreezeThawAsync();
            }

            @Override
            public CompletableFuture<FreezeStatus> status() {
                return fsfreezeStatusAsync();
            }

            @Override
            public Future<?> schedule(Runnable task, Duration delay) {
                return DefaultGuestAgentClient.this.schedule(task, delay);
            }
        }, h -> activeFreeze.compareAndSet(h, null));
        if (!activeFreeze.compareAndSet(null, handle)) {
            return CompletableFuture.failedFuture(new FreezeException(
                    "this client already holds a freeze of the guest: close its handle first", null));
        }
        return fsfreezeStatusAsync().thenCompose(status -> {
            if (status == FreezeStatus.FROZEN) {
                throw new FreezeException("the guest is already frozen (by another client?): "
                        + "refusing to freeze it again; thaw it first", null);
            }
            handle.armWatchdog(freeze.maxDuration());
            CompletableFuture<JsonNode> reply = freeze.mountpoints().isEmpty()
                    ? submit("guest-fsfreeze-freeze", null, freeze.freezeTimeout())
                    : submit("guest-fsfreeze-freeze-list", Map.of("mountpoints", freeze.mountpoints()),
                            freeze.freezeTimeout());
            return reply.handle((count, error) -> {
                if (error == null) {
                    handle.frozen(count.asInt());
                    return CompletableFuture.<FreezeHandle>completedFuture(handle);
                }
                return thawAfterFailedFreeze(handle, Blocking.unwrap(error));
            }).thenCompose(f -> f);
        }).whenComplete((h, e) -> {
            if (e != null) {
                activeFreeze.compareAndSet(handle, null);
            }
        });
    }

    /**
     * An error reply means the agent thawed what it froze; a timeout leaves the state unknown.
     * Either way: thaw and confirm, then report the freeze failure.
     */
    private CompletableFuture<FreezeHandle> thawAfterFailedFreeze(ActiveFreeze handle, Throwable cause) {
        String what = cause instanceof CommandException ? "the agent refused to freeze"
                : cause instanceof CommandTimeoutException ? "the freeze got no reply in time (state unknown)"
                : "the freeze failed";
        return handle.thawAsync().handle((v, thawError) -> {
            if (thawError != null) {
                throw (RuntimeException) Blocking.unwrap(thawError); // ThawFailedException: louder than the freeze
            }
            throw new FreezeException(what + ": " + cause.getMessage() + "; the guest was thawed again", cause);
        });
    }

    @Override
    public CompletableFuture<ExecResult> execAsync(ExecRequest request) {
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
        return submit("guest-exec", args, options.commandTimeout()).thenCompose(r -> {
            if (!r.path("pid").canConvertToLong()) {
                throw new ProtocolException("guest-exec returned no pid: " + Json.excerpt(r.toString(), 200));
            }
            long pid = r.path("pid").asLong();
            CompletableFuture<ExecResult> result = new CompletableFuture<>();
            pollExec(pid, request, deadline, EXEC_FIRST_POLL, result);
            return result;
        });
    }

    private void pollExec(long pid, ExecRequest request, long deadline, Duration delay,
                          CompletableFuture<ExecResult> result) {
        submit("guest-exec-status", Map.of("pid", pid), options.commandTimeout()).whenComplete((status, error) -> {
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
            Duration next = delay.multipliedBy(2).compareTo(EXEC_MAX_POLL) > 0 ? EXEC_MAX_POLL : delay.multipliedBy(2);
            Duration wait = Duration.ofNanos(Math.min(delay.toNanos(), left));
            try {
                schedule(() -> pollExec(pid, request, deadline, next, result), wait);
            } catch (RejectedExecutionException closed) {
                result.completeExceptionally(new ConnectionClosedException("guest-exec: the agent client was closed "
                        + "while " + request.path() + " (pid " + pid + " in the guest) ran", closed));
            }
        });
    }

    private static ExecResult execResult(long pid, JsonNode status) {
        Integer exit = status.hasNonNull("exitcode") ? status.get("exitcode").asInt() : null;
        Integer signal = status.hasNonNull("signal") ? status.get("signal").asInt() : null;
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

    @Override
    public CompletableFuture<Void> shutdownAsync(ShutdownMode mode) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventSubscription vmEvent = options.qmp().map(qmp -> qmp.addListener(
                EventFilter.names("SHUTDOWN", "RESET")
                        .or(EventFilter.named("VSERPORT_CHANGE", "open", false)),
                e -> done.complete(null))).orElse(null);
        submit("guest-shutdown", Map.of("mode", mode.wire()), options.commandTimeout()).whenComplete((r, error) -> {
            Throwable cause = error == null ? null : Blocking.unwrap(error);
            if (cause == null || cause instanceof ConnectionClosedException) {
                done.complete(null); // the agent went away, as it should
            } else {
                done.completeExceptionally(cause);
            }
        });
        return done.whenComplete((v, e) -> {
            if (vmEvent != null) {
                vmEvent.close();
            }
        });
    }

    /**
     * Runs {@code task} later on the resources' one timer, not on this connection's event loop: the
     * loop dies with the connection, and a thaw retry or an exec poll scheduled there would then
     * never run. The task itself never blocks.
     *
     * @throws java.util.concurrent.RejectedExecutionException once the resources are closed
     */
    private Future<?> schedule(Runnable task, Duration delay) {
        return connection.resources().schedule(task, delay);
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        ActiveFreeze freeze = activeFreeze.get();
        CompletableFuture<Void> thawed = freeze == null ? CompletableFuture.completedFuture(null)
                : freeze.thawAsync().exceptionally(e -> {
                    LOG.error("closing the agent client with a freeze it could not thaw", e);
                    return null;
                });
        return thawed.thenCompose(v -> connection.closeAsync());
    }

    @Override
    public void close() {
        Blocking.awaitClose(closeAsync());
    }

    @Override
    public String toString() {
        return "GuestAgentClient[" + options.endpoint() + ", " + state() + "]";
    }
}
