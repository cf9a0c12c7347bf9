package org.qmp4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An in-process stand-in for QEMU's QMP monitor (or, configured without a greeting and with
 * {@code \n} line endings, for the guest agent), for tests of what a real QEMU cannot be made
 * to do: split or huge replies, invalid JSON, unknown ids, EOF in the middle of a message.
 *
 * <p>It listens on a UNIX socket in its own temp directory and serves one client at a time on a
 * background thread, like QEMU. Each client first gets the greeting (if any). Every line the
 * client sends is recorded ({@link #nextRequest(Duration)}) and given to a
 * {@link RequestHandler} (one registered for its command with {@link #on}, else the general
 * one), whose {@link PeerAction}s the peer then runs in order. The test may
 * also write at any time ({@link #send(byte[])}, {@link #sendLine(String)}) and hang up
 * ({@link #closeClient()}). {@link #close()} stops the thread and deletes the directory; it
 * throws if a handler failed, so that a broken script does not go unnoticed.
 */
public final class FakeQmpPeer implements AutoCloseable {
    /** How long {@link #send} waits for a client to be connected. */
    public static final Duration CLIENT_WAIT = Duration.ofSeconds(5);

    private static final byte RESYNC = (byte) 0xFF;

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final String greeting;
    private final String lineEnding;
    private final Supplier<List<PeerAction>> onResync;
    private final BlockingQueue<JsonNode> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger resyncBytes = new AtomicInteger();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object clientLock = new Object();
    private final Thread thread;
    private final Map<String, RequestHandler> commandHandlers = new ConcurrentHashMap<>();
    private volatile RequestHandler handler;
    private volatile Throwable handlerFailure;
    private volatile boolean closed;
    private SocketChannel client; // guarded by clientLock
    private int connections; // guarded by clientLock

    /** Decides how the peer answers one request. Runs on the peer's thread. */
    @FunctionalInterface
    public interface RequestHandler {
        /**
         * The actions answering {@code request}: the parsed JSON, or a {@link TextNode} with the
         * raw line when it was not valid JSON. Return {@code null} for the default behaviour
         * ({@link #defaultActions(JsonNode)}), an empty list for no answer at all.
         */
        List<PeerAction> handle(JsonNode request);
    }

    private FakeQmpPeer(Builder b) throws IOException {
        this.greeting = b.greeting;
        this.lineEnding = b.lineEnding;
        this.handler = b.handler;
        this.onResync = b.onResync;
        this.dir = Files.createTempDirectory("qmp4j-fake-");
        this.socket = dir.resolve("peer.sock");
        ServerSocketChannel s = null;
        try {
            s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            QemuProcess.deleteRecursively(dir);
            throw e;
        }
        this.server = s;
        this.thread = new Thread(this::serve, "fake-qmp-peer");
        thread.setDaemon(true);
        thread.start();
    }

    /** A QMP peer with QEMU 7.2's greeting, {@code \r\n} line endings and the default handler. */
    public static FakeQmpPeer start() {
        return builder().start();
    }

    /** A builder, preset like QEMU 7.2's QMP monitor. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What the peer does when the handler returns {@code null}: answers {@code qmp_capabilities}
     * with {@code {"return": {}}} and leaves every other request unanswered.
     */
    public static List<PeerAction> defaultActions(JsonNode request) {
        if ("qmp_capabilities".equals(QmpMessages.command(request))) {
            return List.of(PeerAction.reply(request, QmpMessages.MAPPER.createObjectNode()));
        }
        return List.of();
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    /**
     * Replaces the general request handler; takes effect with the next request. Handlers
     * registered with {@link #on(String, RequestHandler)} take precedence.
     */
    public void onRequest(RequestHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Answers requests for {@code command} ({@code execute} or {@code exec-oob}) with
     * {@code handler}, replacing an earlier one for it; other requests go to the general handler.
     */
    public void on(String command, RequestHandler handler) {
        commandHandlers.put(command, Objects.requireNonNull(handler, "handler"));
    }

    /** Waits up to {@code timeout} for the next request the client sent. */
    public Optional<JsonNode> pollRequest(Duration timeout) {
        try {
            return Optional.ofNullable(requests.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The next request the client sent, waiting up to {@code timeout}.
     *
     * @throws AssertionError if none arrived in time
     */
    public JsonNode nextRequest(Duration timeout) {
        return pollRequest(timeout).orElseThrow(() -> new AssertionError("no request within " + timeout));
    }

    /** The next request, waiting up to 5 s. */
    public JsonNode nextRequest() {
        return nextRequest(CLIENT_WAIT);
    }

    /** How many {@code 0xFF} bytes clients sent so far. */
    public int resyncBytesReceived() {
        return resyncBytes.get();
    }

    /** How many clients connected so far. */
    public int connections() {
        synchronized (clientLock) {
            return connections;
        }
    }

    /**
     * Writes {@code bytes} to the connected client as they are, waiting up to {@link #CLIENT_WAIT}
     * for one to connect. Never interleaves with another write.
     *
     * @return false when the client went away during the write
     * @throws IllegalStateException if no client connected in time
     */
    public boolean send(byte[] bytes) {
        SocketChannel c = awaitClient(CLIENT_WAIT)
                .orElseThrow(() -> new IllegalStateException("no client connected within " + CLIENT_WAIT));
        try {
            write(c, bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code text} and the line ending; see {@link #send(byte[])}. */
    public boolean sendLine(String text) {
        return send(lineBytes(text));
    }

    /** Closes the connection to the current client, if any: it sees EOF. The peer then accepts the next one. */
    public void closeClient() {
        SocketChannel c;
        synchronized (clientLock) {
            c = client;
        }
        if (c != null) {
            closeQuietly(c);
        }
    }

    /** Waits until a client is connected; returns whether one is. */
    public boolean awaitConnected(Duration timeout) {
        return awaitClient(timeout).isPresent();
    }

    /**
     * Waits until at least one client connected and none is connected any more (it hung up, or
     * {@link #closeClient()} was called); returns whether that happened in time.
     */
    public boolean awaitDisconnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (clientLock) {
            while (connections == 0 || client != null) {
                if (!waitUntil(deadline)) {
                    return false;
                }
            }
            return true;
        }
    }

    private Optional<SocketChannel> awaitClient(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (clientLock) {
            while (client == null) {
                if (closed || !waitUntil(deadline)) {
                    return Optional.empty();
                }
            }
            return Optional.of(client);
        }
    }

    /** Waits on clientLock (held) until notified or the deadline; false once it passed. */
    private boolean waitUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(clientLock, left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void serve() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (clientLock) {
                client = c;
                connections++;
                clientLock.notifyAll();
            }
            try {
                if (greeting != null) {
                    write(c, lineBytes(greeting));
                }
                readRequests(c);
            } catch (IOException e) {
                // the client hung up, or closeClient()/close() closed the channel
            } catch (InterruptedException e) {
                return; // close()
            } finally {
                closeQuietly(c);
                synchronized (clientLock) {
                    if (client == c) {
                        client = null;
                    }
                    clientLock.notifyAll();
                }
            }
        }
    }

    /** Reads lines until EOF; a {@code 0xFF} byte discards a partial line, as the agent does. */
    private void readRequests(SocketChannel c) throws IOException, InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (c.read(buffer) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    onLine(c, line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (b == RESYNC) {
                    line.reset();
                    resyncBytes.incrementAndGet();
                    run(c, onResync.get());
                } else {
                    line.write(b);
                }
            }
            buffer.clear();
        }
    }

    private void onLine(SocketChannel c, String text) throws IOException, InterruptedException {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return;
        }
        JsonNode request;
        try {
            request = QmpMessages.MAPPER.readTree(trimmed);
        } catch (IOException e) {
            request = TextNode.valueOf(trimmed);
        }
        requests.add(request);
        List<PeerAction> actions;
        try {
            String command = request.isObject() ? QmpMessages.command(request) : null;
            RequestHandler h = command == null ? null : commandHandlers.get(command);
            actions = (h != null ? h : handler).handle(request);
        } catch (RuntimeException | AssertionError e) {
            if (handlerFailure == null) {
                handlerFailure = e;
            }
            throw new IOException("request handler failed on " + trimmed, e);
        }
        run(c, actions == null ? defaultActions(request) : actions);
    }

    private void run(SocketChannel c, List<PeerAction> actions) throws IOException, InterruptedException {
        for (PeerAction action : actions) {
            if (action instanceof PeerAction.Bytes b) {
                write(c, b.bytes());
            } else if (action instanceof PeerAction.Line l) {
                write(c, lineBytes(l.text()));
            } else if (action instanceof PeerAction.Pause p) {
                Thread.sleep(p.duration().toMillis(), p.duration().toNanosPart() % 1_000_000);
            } else {
                closeQuietly(c);
            }
        }
    }

    private void write(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        writeLock.lock();
        try {
            while (buffer.hasRemaining()) {
                c.write(buffer);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private byte[] lineBytes(String text) {
        return (text + lineEnding).getBytes(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /**
     * Stops the peer: closes the client and the socket, ends the thread, deletes the directory.
     *
     * @throws AssertionError if a request handler threw (after cleaning up)
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing left to do about it
        }
        closeClient();
        thread.interrupt();
        try {
            thread.join(CLIENT_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (clientLock) {
            clientLock.notifyAll();
        }
        QemuProcess.deleteRecursively(dir);
        if (thread.isAlive()) {
            throw new IllegalStateException("fake peer thread did not stop");
        }
        if (handlerFailure != null) {
            throw new AssertionError("a fake peer request handler failed", handlerFailure);
        }
    }

    /** Settings of a {@link FakeQmpPeer}. */
    public static final class Builder {
        private String greeting = QmpMessages.QEMU_7_2_GREETING;
        private String lineEnding = "\r\n";
        private RequestHandler handler = r -> null;
        private Supplier<List<PeerAction>> onResync = List::of;

        private Builder() {
        }

        /** The first line sent to each client (without line ending); {@code null} for none. */
        public Builder greeting(String greeting) {
            this.greeting = greeting;
            return this;
        }

        /** No greeting, as the guest agent. */
        public Builder noGreeting() {
            return greeting(null);
        }

        /** Line ending appended to lines: {@code "\r\n"} (QMP, the default) or {@code "\n"} (agent). */
        public Builder lineEnding(String lineEnding) {
            this.lineEnding = Objects.requireNonNull(lineEnding, "lineEnding");
            return this;
        }

        /** How requests are answered (default: {@link #defaultActions(JsonNode)}). */
        public Builder handler(RequestHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** What the peer sends when a client sends a {@code 0xFF} byte (default: nothing). */
        public Builder onResyncByte(Supplier<List<PeerAction>> actions) {
            this.onResync = Objects.requireNonNull(actions, "actions");
            return this;
        }

        /** Binds the socket and starts serving. */
        public FakeQmpPeer start() {
            try {
                return new FakeQmpPeer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot start the fake peer", e);
            }
        }
    }
}
