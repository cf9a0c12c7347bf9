package org.qmp4j.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import java.io.FileDescriptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.qmp4j.qmp.ClientResources;
import org.qmp4j.qmp.CommandOptions;
import org.qmp4j.qmp.CommandTimeoutException;
import org.qmp4j.qmp.ConnectionClosedException;
import org.qmp4j.qmp.ConnectionFailedException;
import org.qmp4j.qmp.ConnectionState;
import org.qmp4j.qmp.Endpoint;

/**
 * One socket to a JSON-lines peer (QMP or the guest agent) with its in-flight commands: the part
 * both protocol clients share. Thread-safe. The protocol on top runs the start-up (greeting and
 * negotiation, or agent synchronisation), then calls {@link #markReady()}.
 */
public final class ProtocolConnection {
    private final TransportSettings settings;
    private final ClientResources resources;
    private final boolean ownsResources;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final Object fdLock = new Object();
    private CompletableFuture<?> fdTail = CompletableFuture.completedFuture(null);
    private volatile Channel channel;
    private volatile InFlightHandler inFlight;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Throwable closeCause;

    private ProtocolConnection(TransportSettings settings, ClientResources resources, boolean ownsResources) {
        this.settings = settings;
        this.resources = resources;
        this.ownsResources = ownsResources;
    }

    /** What a protocol client plugs into the shared connection. */
    public interface Protocol<T> {
        /** Handles non-reply messages; created once per connection, before any byte is read. */
        MessageListener listener(ProtocolConnection connection);

        /** Handlers to put between the line decoder and the in-flight handler (may be empty). */
        default List<ChannelHandler> extraHandlers() {
            return List.of();
        }

        /** The first command id: see {@link InFlightHandler}. */
        default long firstId() {
            return 1;
        }

        /** Start-up once the socket is connected; ends with {@link ProtocolConnection#markReady()}. */
        CompletableFuture<T> handshake(ProtocolConnection connection);
    }

    /**
     * Connects and runs the protocol's start-up, all within the connect deadline. On any failure
     * the socket is closed, owned resources are released, and the future fails with a
     * {@link ConnectionFailedException}.
     *
     * @param sharedResources resources to use, or {@code null} to make (and own) private ones
     */
    public static <T> CompletableFuture<T> connect(TransportSettings settings, ClientResources sharedResources,
                                                  Protocol<T> protocol) {
        boolean owns = sharedResources == null;
        ClientResources resources = owns ? ClientResources.create(1) : sharedResources;
        ProtocolConnection connection = new ProtocolConnection(settings, resources, owns);
        CompletableFuture<T> result = new CompletableFuture<>();
        // A connection that ends during start-up fails it at once: if it owned its threads, they
        // are gone, and with them the connect deadline and the listeners that would fail it.
        connection.closeFuture.whenComplete((v, e) -> result.completeExceptionally(connection.connectFailure(
                new ConnectionClosedException("connection closed during start-up", connection.closeCause))));
        try {
            connection.start(protocol, result);
        } catch (RuntimeException e) {
            connection.abort();
            if (owns && connection.channel == null) {
                resources.close();
            }
            result.completeExceptionally(connection.connectFailure(e));
        }
        return result;
    }

    private <T> void start(Protocol<T> protocol, CompletableFuture<T> result) {
        Endpoint endpoint = settings.endpoint();
        Bootstrap bootstrap = new Bootstrap()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()))
                .resolver(NoopAddressResolverGroup.INSTANCE);
        SocketAddress address;
        if (endpoint instanceof Endpoint.Unix unix) {
            try {
                address = AFUNIXSocketAddress.of(unix.path());
            } catch (java.net.SocketException e) {
                throw new IllegalArgumentException("invalid UNIX socket path " + unix.path() + ": " + e.getMessage(), e);
            }
            AFUNIXSocketChannel socket = AfUnixChannel.connectNow(address, endpoint);
            bootstrap.group(resources.unixGroup()).channelFactory(() -> new AfUnixChannel(socket));
        } else {
            Endpoint.Tcp tcp = (Endpoint.Tcp) endpoint;
            bootstrap.group(resources.tcpGroup()).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            address = new InetSocketAddress(tcp.host(), tcp.port());
        }
        MessageListener listener = protocol.listener(this);
        InFlightHandler handler = new InFlightHandler(new MessageListener() {
            @Override
            public void onMessage(ObjectNode message) {
                listener.onMessage(message);
            }

            @Override
            public void onClosed(Throwable cause) {
                closeCause = cause;
                state = ConnectionState.CLOSED;
                listener.onClosed(cause);
                finishClose();
            }
        }, settings.peerName(), protocol.firstId());
        this.inFlight = handler;
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("framing", new JsonLineDecoder(settings.maxFrameBytes(), settings.resyncMarker()));
                for (ChannelHandler extra : protocol.extraHandlers()) {
                    ch.pipeline().addLast(extra);
                }
                ch.pipeline().addLast("in-flight", handler);
            }
        });
        var deadline = bootstrap.config().group().schedule(() -> result.completeExceptionally(
                        new ConnectionFailedException("cannot connect to " + endpoint + ": not ready within "
                                + settings.connectTimeout().toMillis() + " ms",
                                new CommandTimeoutException("connect", settings.connectTimeout()))),
                settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((value, error) -> {
            deadline.cancel(false);
            if (error != null) {
                abort();
            }
        });
        ChannelFuture connected = bootstrap.connect(address);
        this.channel = connected.channel();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(connectFailure(f.cause()));
                return;
            }
            state = ConnectionState.NEGOTIATING;
            CompletableFuture<T> started;
            try {
                started = protocol.handshake(this);
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(connectFailure(error));
                }
            });
        });
    }

    private ConnectionFailedException connectFailure(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof ConnectionFailedException failed) {
            return failed;
        }
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new ConnectionFailedException("cannot connect to " + settings.endpoint() + ": " + message, cause);
    }

    /** Marks the start-up done: user commands are accepted from now on. */
    public void markReady() {
        if (state == ConnectionState.NEGOTIATING) {
            state = ConnectionState.READY;
        }
    }

    /** The connection's state. */
    public ConnectionState state() {
        return state;
    }

    /** Settings this connection was made with. */
    public TransportSettings settings() {
        return settings;
    }

    /** The resources whose threads serve this connection. */
    public ClientResources resources() {
        return resources;
    }

    /** Why the connection closed: {@code null} while open or after a close the client asked for. */
    public Throwable closeCause() {
        return closeCause;
    }

    /** Completes (never exceptionally) once the socket is closed and every pending command failed. */
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    /**
     * Sends a command. The result fails with {@link ConnectionClosedException} when the connection
     * is not open for commands and {@link CommandTimeoutException} when the deadline passes.
     *
     * @param duringStartUp whether this belongs to the start-up (allowed before {@link #markReady()})
     */
    public CompletableFuture<JsonNode> send(String command, ObjectNode arguments, CommandOptions options,
                                            boolean duringStartUp) {
        return send(command, arguments, options, null, duringStartUp);
    }

    /**
     * Sends a command with file descriptors attached to its bytes. Such commands go one at a
     * time: the next is written only after the previous one got its reply, so the peer can never
     * take one command's descriptors for another's. The caller keeps ownership of {@code fds} and
     * must keep them open until the returned future completes.
     */
    public CompletableFuture<JsonNode> sendWithFds(String command, ObjectNode arguments, CommandOptions options,
                                                   FileDescriptor[] fds) {
        if (fds == null || fds.length == 0) {
            throw new IllegalArgumentException("no file descriptors given");
        }
        synchronized (fdLock) {
            CompletableFuture<JsonNode> result = fdTail.handle((v, e) -> null)
                    .thenCompose(v -> send(command, arguments, options, fds, false));
            fdTail = result;
            return result;
        }
    }

    private CompletableFuture<JsonNode> send(String command, ObjectNode arguments, CommandOptions options,
                                             FileDescriptor[] fds, boolean duringStartUp) {
        ConnectionState s = state;
        if (s != ConnectionState.READY && !(duringStartUp && s == ConnectionState.NEGOTIATING)) {
            Throwable cause = closeCause;
            String what = "cannot send " + command + ": connection is " + s;
            return CompletableFuture.failedFuture(cause == null ? new ConnectionClosedException(what)
                    : new ConnectionClosedException(what + ": " + cause.getMessage(), cause));
        }
        Duration timeout = options.timeout().orElse(settings.commandTimeout());
        OutboundCommand outbound = new OutboundCommand(command, arguments, options.oob(), timeout, fds);
        channel.writeAndFlush(outbound).addListener(f -> {
            if (!f.isSuccess()) {
                outbound.fail(new ConnectionClosedException(command + ": cannot write to " + settings.peerName()
                        + ": " + f.cause(), f.cause()));
            }
        });
        return outbound.result();
    }

    /** Closes the connection because of an error in the protocol above (e.g. a failed sync). */
    public void failConnection(Throwable cause) {
        onEventLoop(() -> inFlight.fail(cause));
    }

    /**
     * Graceful close: no new commands; the socket closes once the commands in flight completed or
     * timed out (each has a deadline). Owned resources are released after that.
     */
    public CompletableFuture<Void> closeAsync() {
        markClosing();
        onEventLoop(() -> inFlight.closeWhenIdle());
        return closeFuture;
    }

    /** Immediate close: commands in flight fail at once. */
    public CompletableFuture<Void> abort() {
        markClosing();
        onEventLoop(() -> inFlight.abort());
        return closeFuture;
    }

    private void onEventLoop(Runnable task) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            task.run();
            return;
        }
        try {
            ch.eventLoop().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ch.close(); // event loop shut down: Netty closes its channels itself
        }
    }

    private void markClosing() {
        if (state != ConnectionState.CLOSED) {
            state = ConnectionState.CLOSING;
        }
    }

    private void finishClose() {
        if (!ownsResources) {
            closeFuture.complete(null);
            return;
        }
        // Our private threads cannot wait for their own end: release them from another thread.
        Thread closer = new Thread(() -> {
            resources.close();
            closeFuture.complete(null);
        }, "qmp4j-close");
        closer.setDaemon(true);
        closer.start();
    }
}
