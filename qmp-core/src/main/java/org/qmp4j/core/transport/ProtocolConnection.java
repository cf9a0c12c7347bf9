package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;

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
    /** Writes handed to the I/O thread and not yet on the wire; a direct write waits for none. */
    private final AtomicInteger queuedWrites = new AtomicInteger();
    private CompletableFuture<?> fdTail = CompletableFuture.completedFuture(null);
    private volatile Channel channel;
    private volatile InFlightHandler inFlight;
    /** The blocking callers' own path to a UNIX socket; {@code null} for TCP or when turned off. */
    private volatile DirectWriter directWriter;
    private final ConnectionStatus status = new ConnectionStatus();
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

        /** The handler that turns bytes into {@link Frame}s: JSON lines, unless the protocol adds to them. */
        default ChannelHandler framing(int maxFrameBytes) {
            return new JsonLineDecoder(maxFrameBytes);
        }

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
        try {
            connection.start(protocol, result);
        } catch (RuntimeException e) {
            result.completeExceptionally(connection.connectFailure(e));
            if (connection.channel == null) {
                connection.finishClose();
            } else {
                connection.abort();
            }
        }
        return result;
    }

    private <T> void start(Protocol<T> protocol, CompletableFuture<T> result) {
        Endpoint endpoint = settings.endpoint();
        MessageListener listener = protocol.listener(this);
        InFlightHandler handler = new InFlightHandler(resources, status, new MessageListener() {
            @Override
            public void onMessage(ObjectNode message) {
                listener.onMessage(message);
            }

            @Override
            public void onClosed(Throwable cause) {
                closeCause = cause;
                status.closed();
                result.completeExceptionally(connectFailure(cause != null ? cause
                        : new ConnectionClosedException("closed during start-up")));
                listener.onClosed(cause);
                finishClose();
            }
        }, settings.peerName(), protocol.firstId());
        this.inFlight = handler;
        ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("framing", protocol.framing(settings.maxFrameBytes()));
                for (ChannelHandler extra : protocol.extraHandlers()) {
                    ch.pipeline().addLast(extra);
                }
                ch.pipeline().addLast("in-flight", handler);
            }
        };
        EventLoopGroup group = endpoint instanceof Endpoint.Unix ? resources.unixGroup() : resources.tcpGroup();
        var deadline = resources.schedule(() -> result.completeExceptionally(
                new ConnectTimeoutException(endpoint, settings.connectTimeout())), settings.connectTimeout());
        result.whenComplete((value, error) -> {
            deadline.cancel(false);
            if (error != null) {
                abort();
            }
        });
        GenericFutureListener<Future<? super Void>> connected = f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(connectFailure(f.cause()));
                return;
            }
            status.advance(ConnectionState.CONNECTING, ConnectionState.NEGOTIATING);
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
        };
        if (endpoint instanceof Endpoint.Unix unix) {
            // Connect first, register after: an unconnected junixsocket channel sitting in the
            // selector can be reported ready (poll() flags an unconnected socket with POLLHUP)
            // and Netty then closes it before the connect is even issued.
            resources.eventExecutor().execute(() -> connectUnix(unix, group, initializer, result, connected));
        } else {
            Endpoint.Tcp tcp = (Endpoint.Tcp) endpoint;
            ChannelFuture future = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis())
                    .handler(initializer)
                    .connect(new InetSocketAddress(tcp.host(), tcp.port()));
            this.channel = future.channel();
            future.addListener(connected);
        }
    }

    private void connectUnix(Endpoint.Unix unix, EventLoopGroup group, ChannelInitializer<Channel> initializer,
                             CompletableFuture<?> result, GenericFutureListener<Future<? super Void>> connected) {
        AFUNIXSocketChannel socket = null;
        try {
            socket = AFUNIXSocketChannel.open();
            socket.socket().connect(AFUNIXSocketAddress.of(unix.path()), connectTimeoutMillis());
            socket.configureBlocking(false);
            AfUnixChannel ch = new AfUnixChannel(socket);
            ch.pipeline().addLast(initializer);
            synchronized (this) {
                if (result.isDone()) { // gave up (deadline) while connecting
                    socket.close();
                    finishClose();
                    return;
                }
                this.channel = ch;
                if (AfUnixChannel.DIRECT_WRITES) {
                    directWriter = new DirectWriter(ch, inFlight, status, settings.peerName(), directHost());
                }
            }
            group.register(ch).addListener(connected);
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            result.completeExceptionally(connectFailure(e));
            finishClose(); // no channel will ever report the end
        }
    }

    private int connectTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    }

    private ConnectionFailedException connectFailure(Throwable error) {
        Throwable cause = Blocking.unwrap(error);
        if (cause instanceof ConnectionFailedException failed) {
            return failed;
        }
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new ConnectionFailedException("cannot connect to " + settings.endpoint() + ": " + message, cause);
    }

    /** Marks the start-up done: user commands are accepted from now on. */
    public void markReady() {
        status.advance(ConnectionState.NEGOTIATING, ConnectionState.READY);
    }

    /** The connection's state. */
    public ConnectionState state() {
        return status.get();
    }

    /** Calls {@code listener} with every later state of this connection; it must not block. */
    public void addStateListener(java.util.function.Consumer<ConnectionState> listener) {
        status.addListener(listener);
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
        ConnectionState s = status.get();
        if (s != ConnectionState.READY && !(duringStartUp && s == ConnectionState.NEGOTIATING)) {
            Throwable cause = closeCause;
            String what = "cannot send " + command + ": connection is " + s;
            return CompletableFuture.failedFuture(cause == null ? new ConnectionClosedException(what)
                    : new ConnectionClosedException(what + ": " + cause.getMessage(), cause));
        }
        Duration timeout = options.timeout().orElse(settings.commandTimeout());
        OutboundCommand outbound = new OutboundCommand(command, arguments, options.oob(), timeout, fds);
        // The listener goes on before the write starts, so the I/O thread runs it the moment the
        // bytes are out; added afterwards to a done future, it would wait for a later task.
        ChannelPromise written = channel.newPromise();
        written.addListener(f -> {
            queuedWrites.decrementAndGet();
            if (!f.isSuccess()) {
                outbound.fail(new ConnectionClosedException(command + ": cannot write to " + settings.peerName()
                        + ": " + f.cause(), f.cause()));
            }
        });
        queuedWrites.incrementAndGet();
        channel.writeAndFlush(outbound, written);
        return outbound.result();
    }

    /**
     * Sends a command and waits for its reply: the blocking form of {@link #send}. Over a UNIX
     * socket with nothing queued for the I/O thread, the calling thread writes the command itself
     * and waits with the command's deadline; otherwise this is {@code send} and a wait. Either way
     * the reply is read and routed by the I/O thread, so events and other commands' replies keep
     * their order.
     */
    public JsonNode call(String command, ObjectNode arguments, CommandOptions options) {
        DirectWriter direct = directWriter;
        if (direct == null || status.get() != ConnectionState.READY || IoThreads.isIoThread()) {
            return Blocking.await(send(command, arguments, options, null, false));
        }
        Duration timeout = options.timeout().orElse(settings.commandTimeout());
        long deadline = System.nanoTime() + timeout.toNanos();
        OutboundCommand outbound = new OutboundCommand(command, arguments, options.oob(), timeout, null);
        if (!direct.write(outbound)) {
            return Blocking.await(send(command, arguments, options, null, false));
        }
        return direct.awaitReply(outbound, deadline);
    }

    private DirectWriter.Host directHost() {
        return new DirectWriter.Host() {
            @Override
            public boolean nothingQueued() {
                return queuedWrites.get() == 0;
            }

            @Override
            public void failConnection(Throwable cause) {
                ProtocolConnection.this.failConnection(cause);
            }

            @Override
            public void onEventLoop(Runnable task) {
                ProtocolConnection.this.onEventLoop(task);
            }
        };
    }

    /**
     * Runs {@code beforeWrite} on the I/O thread, then writes {@code bytes} as they are (not a
     * command: e.g. the agent's {@code 0xFF} resync byte). Ordered with the commands sent after it.
     */
    public CompletableFuture<Void> writeRaw(byte[] bytes, Runnable beforeWrite) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel ch = channel;
        if (!status.acceptsCommands()) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("connection is " + status));
        }
        onEventLoop(() -> {
            beforeWrite.run();
            queuedWrites.incrementAndGet();
            ch.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(bytes)).addListener(f -> {
                queuedWrites.decrementAndGet();
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new ConnectionClosedException("write to " + settings.peerName()
                            + " failed: " + f.cause(), f.cause()));
                }
            });
        });
        return done;
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
        Channel ch;
        synchronized (this) {
            ch = channel;
        }
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
        status.beginClosing(); // a no-op once closed: CLOSED never moves back
    }

    private void finishClose() {
        status.closed();
        if (!ownsResources) {
            closeFuture.complete(null);
            return;
        }
        // Often called on one of these very threads: start their end, and complete once they are gone.
        resources.closeAsync().whenComplete((v, e) -> closeFuture.complete(null));
    }
}
