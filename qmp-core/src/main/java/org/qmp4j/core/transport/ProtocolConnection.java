package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import java.io.FileDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.ConnectionState;

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

        /** Handlers that see the raw bytes, before the framing (e.g. a limit on how fast the peer may send). */
        default List<ChannelHandler> beforeFraming() {
            return List.of();
        }

        /** The first command id: see {@link InFlightHandler}. */
        default long firstId() {
            return 1;
        }

        /**
         * Whether the peer answers one command at a time, in order: then a reply over the frame
         * cap fails only the command waiting longest (it is that one's) and the connection stays;
         * otherwise it ends the connection.
         */
        default boolean answersOneAtATime() {
            return false;
        }

        /** Start-up once the socket is connected; ends with {@link ProtocolConnection#markReady()}. */
        CompletableFuture<T> handshake(ProtocolConnection connection);
    }

    /**
     * Connects and runs the protocol's start-up, all within the connect deadline. On any failure
     * the socket is closed, owned resources are released, and the future fails with a
     * {@link ConnectionFailedException} ({@link ConnectTimeoutException} when the deadline passed).
     *
     * @param sharedResources resources to use, or {@code null} to make (and own) private ones
     */
    public static <T> CompletableFuture<T> connect(TransportSettings settings, ClientResources sharedResources,
                                                  Protocol<T> protocol) {
        boolean owns = sharedResources == null;
        ClientResources resources = owns ? ClientResources.create(1) : sharedResources;
        return ConnectionSetup.run(new ProtocolConnection(settings, resources, owns), protocol);
    }

    /** The in-flight handler the set-up made for this connection's pipeline. */
    void install(InFlightHandler handler) {
        this.inFlight = handler;
    }

    /**
     * Takes the connected channel, unless the set-up already gave up ({@code setup} is done): then
     * false, and the caller closes the socket.
     */
    synchronized boolean attach(Channel ch, CompletableFuture<?> setup) {
        if (setup.isDone()) {
            return false;
        }
        this.channel = ch;
        if (ch instanceof AfUnixChannel socket && AfUnixChannel.DIRECT_WRITES) {
            directWriter = new DirectWriter(socket, inFlight, status, settings.peerName(), directHost());
        }
        return true;
    }

    /** Whether a channel was ever attached (a set-up that failed before has none to close). */
    synchronized boolean hasChannel() {
        return channel != null;
    }

    /** The one state of this connection, for the set-up's moves. */
    ConnectionStatus status() {
        return status;
    }

    /** The channel is gone: the end of this connection, whenever it comes ({@link #finishClose()} follows). */
    void channelClosed(Throwable cause) {
        closeCause = cause;
        status.closed();
    }

    /** Marks the start-up done: user commands are accepted from now on. */
    public void markReady() {
        status.advance(ConnectionState.NEGOTIATING, ConnectionState.READY);
        if (directWriter != null) {
            // This loop may write another connection's commands directly (a thaw, inside a freeze
            // window): its first pooled buffer, which makes the thread's cache, is taken now.
            onEventLoop(DirectWriter::prepareThread);
        }
    }

    /** The connection's state. */
    public ConnectionState state() {
        return status.get();
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
            return CompletableFuture.failedFuture(notOpen(command, s));
        }
        Duration timeout = options.timeout().orElse(settings.commandTimeout());
        OutboundCommand outbound = new OutboundCommand(command, arguments, options.oob(), timeout, fds);
        return fds == null && s == ConnectionState.READY ? writeDirectOrEnqueue(outbound) : enqueue(outbound);
    }

    /**
     * Writes {@code outbound} from this thread when it can, else hands it to the I/O thread. Any
     * thread but this channel's own event loop writes directly: a caller, and also the I/O thread
     * of another connection (the thaw that the QMP connection's I/O thread sends to the agent
     * when the {@code transaction}'s reply arrives), which would otherwise wake this channel's
     * loop and wait for it, inside a freeze window. The write never blocks; a peer that stopped
     * reading in the middle of a message holds it up for at most a few milliseconds
     * ({@link AfUnixChannel#writeDirect}).
     */
    private CompletableFuture<JsonNode> writeDirectOrEnqueue(OutboundCommand outbound) {
        DirectWriter direct = directWriter;
        if (direct != null && !channel.eventLoop().inEventLoop()) {
            try {
                if (direct.write(outbound)) {
                    direct.armDeadline(outbound);
                    return outbound.result();
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return enqueue(outbound);
    }

    private ConnectionClosedException notOpen(String command, ConnectionState s) {
        Throwable cause = closeCause;
        String what = "cannot send " + command + ": connection is " + s;
        return cause == null ? new ConnectionClosedException(what)
                : new ConnectionClosedException(what + ": " + cause.getMessage(), cause);
    }

    /**
     * Sends a command encoded ahead of time. Over a UNIX socket with nothing queued for the I/O
     * thread, the calling thread writes it itself, so its bytes leave at once; either way the
     * result completes on the I/O thread as the reply is read, and what the caller chained to it
     * runs there, before the caller itself would wake up.
     */
    public CompletableFuture<JsonNode> sendEncoded(EncodedCommand command, CommandOptions options) {
        ConnectionState s = status.get();
        if (s != ConnectionState.READY) {
            return CompletableFuture.failedFuture(notOpen(command.name(), s));
        }
        OutboundCommand outbound = new OutboundCommand(command, options.timeout().orElse(settings.commandTimeout()));
        return writeDirectOrEnqueue(outbound);
    }

    /** Hands {@code outbound} to the I/O thread, which registers, encodes and writes it. */
    private CompletableFuture<JsonNode> enqueue(OutboundCommand outbound) {
        String command = outbound.name();
        AtomicBoolean settled = new AtomicBoolean();
        Consumer<Future<?>> settle = f -> {
            if (settled.compareAndSet(false, true)) {
                queuedWrites.decrementAndGet();
                if (!f.isSuccess()) {
                    outbound.fail(new ConnectionClosedException(command + ": cannot write to " + settings.peerName()
                            + ": " + f.cause(), f.cause()));
                }
            }
        };
        // The listener goes on before the write starts, so the I/O thread runs it the moment the
        // bytes are out; added afterwards to a done future, it would wait for a later task.
        ChannelPromise written = channel.newPromise();
        written.addListener(settle::accept);
        queuedWrites.incrementAndGet();
        channel.writeAndFlush(outbound, written);
        if (written.isDone() && !written.isSuccess()) {
            // An event loop that has shut down (the connection closed since it was checked, and its
            // private resources ended) refuses the write, and the listener's notification with it:
            // the command fails here, or its caller would wait for ever.
            settle.accept(written);
        }
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

            @Override
            public java.util.concurrent.Future<?> schedule(Runnable task, Duration delay) {
                return resources.schedule(task, delay);
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
        queuedWrites.incrementAndGet(); // now: a direct write that follows this call must not overtake the bytes
        onEventLoop(() -> {
            beforeWrite.run();
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

    /** Marks the connection closed and releases owned resources; then the close future completes. */
    void finishClose() {
        status.closed();
        if (!ownsResources) {
            closeFuture.complete(null);
            return;
        }
        // Often called on one of these very threads: start their end, and complete once they are gone.
        resources.closeAsync().whenComplete((v, e) -> closeFuture.complete(null));
    }
}
