package org.qmp4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The benchmark's reference: the least a client of QMP or the guest agent can be. A JDK UNIX
 * {@link SocketChannel} in blocking mode, one JSON object per line, one command at a time with an
 * id, events and id-less errors skipped. No event loop, no futures, no queue, no schema.
 *
 * <p>Its one concession to safety is a deadline per command, enforced by a daemon thread that
 * closes the socket (which ends a blocked read); inside a command that costs two volatile writes.
 */
public final class PlainJsonLinesClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Thread guard;
    private volatile long deadlineNanos;
    private volatile boolean closed;
    private long nextId = ThreadLocalRandom.current().nextLong(1L << 20, 1L << 40);

    private PlainJsonLinesClient(SocketChannel channel) {
        this.channel = channel;
        in.flip();
        this.guard = new Thread(this::guard, "plain-client-deadline");
        guard.setDaemon(true);
        guard.start();
    }

    /** Connects to a QMP monitor: reads the greeting, negotiates with {@code qmp_capabilities}. */
    public static PlainJsonLinesClient qmp(Path socket) {
        PlainJsonLinesClient c = open(socket);
        try {
            JsonNode greeting = c.readGreeting();
            if (!greeting.has("QMP")) {
                throw new IllegalStateException("not a QMP greeting: " + greeting);
            }
            c.command("qmp_capabilities", null);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Connects to the guest agent and synchronises once: {@code 0xFF}, then
     * {@code guest-sync-delimited}; everything up to its reply is dropped.
     */
    public static PlainJsonLinesClient agent(Path socket) {
        PlainJsonLinesClient c = open(socket);
        try {
            c.write(new byte[] {(byte) 0xFF});
            long token = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
            JsonNode reply = c.command("guest-sync-delimited", JSON.createObjectNode().put("id", token));
            if (reply.asLong() != token) {
                throw new IllegalStateException("guest-sync-delimited returned " + reply + ", expected " + token);
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The greeting, past any events before it: QEMU 7.2 can hand a new client an event queued
     * while the previous client was connected (seen: {@code VSERPORT_CHANGE} right after a
     * client that polled {@code query-chardev} left).
     */
    private JsonNode readGreeting() {
        deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
        try {
            JsonNode msg = readMessage();
            while (msg.has("event")) {
                msg = readMessage();
            }
            return msg;
        } catch (IOException e) {
            throw new UncheckedIOException("no QMP greeting", e);
        } finally {
            deadlineNanos = 0;
        }
    }

    private static PlainJsonLinesClient open(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new PlainJsonLinesClient(ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + socket, e);
        }
    }

    /**
     * Sends {@code execute} with an id and returns its {@code return} value; reads past events and
     * anything without our id. An error reply throws {@link IllegalStateException}.
     */
    public JsonNode command(String execute, JsonNode arguments) {
        long id = nextId++;
        ObjectNode cmd = JSON.createObjectNode().put("execute", execute);
        if (arguments != null) {
            cmd.set("arguments", arguments);
        }
        cmd.put("id", id);
        deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
        try {
            write(JSON.writeValueAsBytes(cmd));
            write(new byte[] {'\n'});
            while (true) {
                JsonNode msg = readMessage();
                if (msg.path("id").asLong(-1) != id) {
                    continue; // an event, or an id-less error (QEMU 7.2's agent answers 0xFF with one)
                }
                if (msg.has("error")) {
                    throw new IllegalStateException(execute + ": " + msg.get("error"));
                }
                return msg.path("return");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(execute + (closed ? ": deadline passed or closed" : ""), e);
        } finally {
            deadlineNanos = 0;
        }
    }

    /** Converts a Java value (maps, lists) to arguments. */
    public static JsonNode args(Object value) {
        return JSON.valueToTree(value);
    }

    private void write(byte[] bytes) {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line as JSON; {@code 0xFF} delimiters and blank lines are skipped. */
    private JsonNode readMessage() throws IOException {
        while (true) {
            if (!in.hasRemaining()) {
                fill();
            }
            String text = takeLine();
            if (text != null && !text.isEmpty()) {
                return JSON.readTree(text);
            }
        }
    }

    /**
     * Drops what the peer sent unasked (QMP events) and is already here, without waiting: to be
     * called between commands, so that reading past them is not charged to the next command.
     */
    public void discardPending() {
        try {
            channel.configureBlocking(false);
            try {
                while (true) {
                    if (!in.hasRemaining() && fill() == 0) {
                        return;
                    }
                    takeLine(); // complete lines are events here: no command is outstanding
                }
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads once into the empty buffer; the byte count (0: nothing there, non-blocking). */
    private int fill() throws IOException {
        in.clear();
        int n = channel.read(in);
        in.flip();
        if (n < 0) {
            throw new IOException("the peer closed the connection");
        }
        return n;
    }

    /** Consumes buffered bytes up to a newline: the completed line, or null if the buffer ran out first. */
    private String takeLine() {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8).strip();
                line.reset();
                return text;
            }
            if (b != (byte) 0xFF && b != '\r') {
                line.write(b);
            }
        }
        return null;
    }

    private void guard() {
        while (!closed) {
            long d = deadlineNanos;
            if (d != 0 && System.nanoTime() - d > 0) {
                close();
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        guard.interrupt();
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket we are leaving
        }
    }
}
