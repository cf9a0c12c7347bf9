package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.LogBudget;
import org.qmp4j.core.transport.MessageListener;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.core.transport.TransportSettings;
import org.qmp4j.qga.AgentInfo;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.FsInfo;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qga.ShutdownMode;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link GuestAgentClient} on the shared {@link ProtocolConnection}: wires the parts that each
 * have one job — the channel ({@link AgentCommandQueue} with {@link ResyncGate} and
 * {@link AgentFrameDecoder}), presence ({@link AgentPresence}), the freeze ({@link FreezeOwner},
 * the only one that thaws) and exec ({@link ExecPoller}) — and maps the API onto them.
 */
public final class DefaultGuestAgentClient implements GuestAgentClient {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultGuestAgentClient.class);

    private final ProtocolConnection connection;
    private final AgentCommandQueue queue;
    private final GuestAgentOptions options;
    private final FreezeOwner freezes;
    private final ExecPoller exec;

    private DefaultGuestAgentClient(ProtocolConnection connection, AgentCommandQueue queue, GuestAgentOptions options) {
        this.connection = connection;
        this.queue = queue;
        this.options = options;
        this.freezes = new FreezeOwner(this::submit, this::fsfreezeStatusAsync, this::fsfreezeThawAsync, options,
                connection.resources(), options.thawGuardian() ? ThawGuardian.shared() : null);
        freezes.prepare();
        this.exec = new ExecPoller(this::submit, connection.resources(), options.commandTimeout());
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
                        // Unsolicited: no work at all unless the log wants it, and then a bounded, escaped excerpt.
                        LogBudget budget = new LogBudget();
                        return message -> {
                            if (!LOG.isDebugEnabled()) {
                                return;
                            }
                            String note = budget.take();
                            if (note != null) {
                                LOG.debug("guest agent sent a message that is not a reply; dropped: {}{}",
                                        Json.printable(message.toString(), 200), note);
                            }
                        };
                    }

                    @Override
                    public ChannelHandler framing(int maxFrameBytes) {
                        return new AgentFrameDecoder(maxFrameBytes);
                    }

                    @Override
                    public List<ChannelHandler> beforeFraming() {
                        return List.of(new ReadThrottle()); // a flooding guest waits, not the shared I/O thread
                    }

                    @Override
                    public List<ChannelHandler> extraHandlers() {
                        return List.of(gate);
                    }

                    @Override
                    public boolean answersOneAtATime() {
                        return true; // the queue sends one command at a time, and the agent answers in order
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
                        return AgentPresence.checkChannelOpen(options)
                                .thenCompose(v -> queue.sync())
                                .thenApply(v -> {
                                    connection.markReady();
                                    return new DefaultGuestAgentClient(connection, queue, options);
                                });
                    }
                });
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
        return AgentPresence.checkChannelOpen(options).thenCompose(v -> queue.sync()).handle((v, e) -> e == null);
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

    @Override
    public CompletableFuture<Void> pingAsync() {
        return submit("guest-ping", null, options.pingTimeout()).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<AgentInfo> infoAsync() {
        return submit("guest-info", null, options.commandTimeout())
                .thenApply(reply -> Json.decode("guest-info", reply, AgentReplies::info));
    }

    @Override
    public CompletableFuture<List<FsInfo>> fsInfoAsync() {
        return submit("guest-get-fsinfo", null, options.commandTimeout())
                .thenApply(reply -> Json.decode("guest-get-fsinfo", reply, AgentReplies::fsInfo));
    }

    @Override
    public CompletableFuture<FreezeStatus> fsfreezeStatusAsync() {
        return submit("guest-fsfreeze-status", null, options.pingTimeout())
                .thenApply(r -> FreezeStatus.of(AgentReplies.text("guest-fsfreeze-status", r)));
    }

    @Override
    public CompletableFuture<Integer> fsfreezeThawAsync() {
        return submit("guest-fsfreeze-thaw", null, options.thawTimeout())
                .thenApply(r -> AgentReplies.integer("guest-fsfreeze-thaw", "the count of thawed file systems", r));
    }

    @Override
    public CompletableFuture<FreezeHandle> freezeAsync(FreezeOptions freeze) {
        return freezes.freeze(freeze);
    }

    @Override
    public CompletableFuture<ExecResult> execAsync(ExecRequest request) {
        return exec.run(request);
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

    @Override
    public CompletableFuture<Void> closeAsync() {
        return freezes.thawBeforeClose().thenCompose(v -> connection.closeAsync());
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
