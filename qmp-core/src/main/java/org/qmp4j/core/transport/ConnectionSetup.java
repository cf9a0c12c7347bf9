package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CompletableFuture;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;

/**
 * The set-up of one connection, from an endpoint to READY or a failure, within the connect
 * deadline: the pipeline (the protocol's framing, its extra handlers, the in-flight handler), the
 * socket connect (UNIX through junixsocket, TCP through Netty), CONNECTING → NEGOTIATING, and the
 * protocol's own start-up, which ends with {@link ProtocolConnection#markReady()}. On any failure
 * the socket is closed and the result fails with a {@link ConnectionFailedException}.
 */
final class ConnectionSetup<T> {
    private final ProtocolConnection connection;
    private final TransportSettings settings;
    private final ClientResources resources;
    private final ProtocolConnection.Protocol<T> protocol;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private ConnectionSetup(ProtocolConnection connection, ProtocolConnection.Protocol<T> protocol) {
        this.connection = connection;
        this.settings = connection.settings();
        this.resources = connection.resources();
        this.protocol = protocol;
    }

    /** Sets {@code connection} up for {@code protocol}; completes with what the start-up returns. */
    static <T> CompletableFuture<T> run(ProtocolConnection connection, ProtocolConnection.Protocol<T> protocol) {
        ConnectionSetup<T> setup = new ConnectionSetup<>(connection, protocol);
        try {
            setup.start();
        } catch (RuntimeException e) {
            setup.result.completeExceptionally(setup.failure(e));
            if (connection.hasChannel()) {
                connection.abort();
            } else {
                connection.finishClose();
            }
        }
        return setup.result;
    }

    private void start() {
        Endpoint endpoint = settings.endpoint();
        MessageListener listener = protocol.listener(connection);
        InFlightHandler handler = new InFlightHandler(resources, connection.status(), new MessageListener() {
            @Override
            public void onMessage(ObjectNode message) {
                listener.onMessage(message);
            }

            @Override
            public void onClosed(Throwable cause) {
                connection.channelClosed(cause);
                result.completeExceptionally(failure(cause != null ? cause
                        : new ConnectionClosedException("closed during start-up")));
                listener.onClosed(cause);
                connection.finishClose();
            }
        }, settings.peerName(), protocol.firstId(), protocol.answersOneAtATime());
        connection.install(handler);
        ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                for (ChannelHandler raw : protocol.beforeFraming()) {
                    ch.pipeline().addLast(raw);
                }
                ch.pipeline().addLast("framing", protocol.framing(settings.maxFrameBytes()));
                for (ChannelHandler extra : protocol.extraHandlers()) {
                    ch.pipeline().addLast(extra);
                }
                ch.pipeline().addLast("in-flight", handler);
            }
        };
        var deadline = resources.schedule(() -> result.completeExceptionally(
                new ConnectTimeoutException(endpoint, settings.connectTimeout())), settings.connectTimeout());
        result.whenComplete((value, error) -> {
            deadline.cancel(false);
            if (error != null) {
                connection.abort();
            }
        });
        if (endpoint instanceof Endpoint.Unix unix) {
            // Connect first, register after: an unconnected junixsocket channel sitting in the
            // selector can be reported ready (poll() flags an unconnected socket with POLLHUP)
            // and Netty then closes it before the connect is even issued.
            EventLoopGroup group = resources.unixGroup();
            if (!connectUnixAtOnce(unix, group, initializer)) {
                // the listener's backlog is full, or this thread is interrupted: on a thread that may block
                resources.eventExecutor().execute(() -> connectUnix(unix, group, initializer));
            }
        } else {
            connectTcp((Endpoint.Tcp) endpoint, initializer);
        }
    }

    private void connectTcp(Endpoint.Tcp tcp, ChannelInitializer<Channel> initializer) {
        ChannelFuture future = new Bootstrap()
                .group(resources.tcpGroup())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis())
                .handler(initializer)
                .connect(new InetSocketAddress(tcp.host(), tcp.port()));
        if (!connection.attach(future.channel(), result)) {
            future.channel().close(); // gave up already
            return;
        }
        future.addListener(connected());
    }

    /**
     * A non-blocking connect, on the calling thread: a UNIX socket connects at once unless the
     * listener's backlog is full, so the common case needs no thread of its own (200 connects at
     * once used to start a hundred). Returns false, having closed the socket, when it must wait,
     * and when the calling thread is interrupted (its channel operations would close the channel).
     */
    private boolean connectUnixAtOnce(Endpoint.Unix unix, EventLoopGroup group,
            ChannelInitializer<Channel> initializer) {
        AFUNIXSocketChannel socket = null;
        try {
            socket = AFUNIXSocketChannel.open();
            socket.configureBlocking(false);
            // junixsocket answers a full backlog (EAGAIN) with false, and then claims to be
            // connected: only true means connected
            if (!socket.connect(AFUNIXSocketAddress.of(unix.path()))) {
                socket.close();
                return false;
            }
            register(socket, group, initializer);
        } catch (ClosedByInterruptException e) {
            return false; // interrupted meanwhile (the flag stays set): the executor's thread connects
        } catch (IOException | RuntimeException e) {
            failConnect(socket, e);
        }
        return true;
    }

    /** A blocking connect within the deadline, for a listener whose backlog is full. */
    private void connectUnix(Endpoint.Unix unix, EventLoopGroup group, ChannelInitializer<Channel> initializer) {
        AFUNIXSocketChannel socket = null;
        try {
            socket = AFUNIXSocketChannel.open();
            socket.socket().connect(AFUNIXSocketAddress.of(unix.path()), connectTimeoutMillis());
            socket.configureBlocking(false);
            register(socket, group, initializer);
        } catch (IOException | RuntimeException e) {
            failConnect(socket, e);
        }
    }

    private void register(AFUNIXSocketChannel socket, EventLoopGroup group, ChannelInitializer<Channel> initializer)
            throws IOException {
        AfUnixChannel ch = new AfUnixChannel(socket);
        ch.pipeline().addLast(initializer);
        if (!connection.attach(ch, result)) { // gave up (deadline) while connecting
            socket.close();
            connection.finishClose();
            return;
        }
        group.register(ch).addListener(connected());
    }

    private void failConnect(AFUNIXSocketChannel socket, Exception e) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
        result.completeExceptionally(failure(e));
        connection.finishClose(); // no channel will ever report the end
    }

    /** Once the socket is connected and registered: the protocol's start-up. */
    private GenericFutureListener<Future<? super Void>> connected() {
        return f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(failure(f.cause()));
                return;
            }
            connection.status().advance(ConnectionState.CONNECTING, ConnectionState.NEGOTIATING);
            CompletableFuture<T> started;
            try {
                started = protocol.handshake(connection);
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, error) -> {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure(error));
                }
            });
        };
    }

    private int connectTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
    }

    private ConnectionFailedException failure(Throwable error) {
        Throwable cause = Blocking.unwrap(error);
        if (cause instanceof ConnectionFailedException failed) {
            return failed;
        }
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new ConnectionFailedException("cannot connect to " + settings.endpoint() + ": " + message, cause);
    }
}
