package org.qmp4j.examples.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The baseline: a minimal QMP client on a blocking JDK UNIX socket channel, as fast as a
 * hand-written client gets. Everything happens on the caller's thread (no hand-off between
 * threads), the request bytes and buffers are reused, and replies are recognised by their
 * top-level keys ({@link ReplyScanner}) instead of a JSON tree. It is still correct: every reply's
 * {@code id} must be the one expected, error replies and unexpected messages fail the run, and
 * events are skipped. Not thread-safe.
 */
final class PlainQmpClient implements BenchTarget {
    private static final byte[] QUERY_STATUS = ascii("{\"execute\":\"query-status\",\"id\":");
    private static final byte[] CAPABILITIES = ascii("{\"execute\":\"qmp_capabilities\",\"id\":");
    private static final byte LF = '\n';

    private final SocketChannel channel;
    /** Bytes read and not yet consumed, in read mode: [position, limit). */
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
    private final ByteBuffer out = ByteBuffer.allocateDirect(256);
    private final ReplyScanner scanner = new ReplyScanner();
    private final byte[] digits = new byte[20];
    private long nextId;
    private int lineStart;
    private int lineEnd;
    private String greeting;

    private PlainQmpClient(SocketChannel channel) {
        this.channel = channel;
        in.flip(); // empty, in read mode
    }

    /** Connects, reads the greeting and negotiates capabilities. */
    static PlainQmpClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            PlainQmpClient client = new PlainQmpClient(channel);
            client.handshake();
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void handshake() throws IOException {
        nextLine();
        if (scanner.kind() != ReplyScanner.Kind.GREETING) {
            throw new IOException("expected a QMP greeting, got " + line());
        }
        greeting = line();
        awaitReply(send(CAPABILITIES));
    }

    /** The greeting line as QEMU sent it. */
    String greeting() {
        return greeting;
    }

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void roundTrip() throws IOException {
        awaitReply(send(QUERY_STATUS));
    }

    @Override
    public long pipelined(int count, int window) throws IOException {
        long start = System.nanoTime();
        long expected = nextId;
        int sent = 0;
        while (sent < Math.min(window, count)) {
            send(QUERY_STATUS);
            sent++;
        }
        for (int received = 0; received < count; received++) {
            // QEMU answers in-band commands in order, so the oldest outstanding id comes next.
            awaitReply(expected++);
            if (sent < count) {
                send(QUERY_STATUS);
                sent++;
            }
        }
        return System.nanoTime() - start;
    }

    /** Writes {@code prefix} + a fresh id + {@code "}\n"}; returns the id. */
    private long send(byte[] prefix) throws IOException {
        long id = nextId++;
        out.clear();
        out.put(prefix);
        int n = 0;
        long v = id;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (n > 0) {
            out.put(digits[--n]);
        }
        out.put((byte) '}').put(LF).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        return id;
    }

    /** Reads lines until the reply to {@code id}; skips events, fails on anything else. */
    private void awaitReply(long id) throws IOException {
        while (true) {
            nextLine();
            switch (scanner.kind()) {
                case EVENT -> {
                    continue;
                }
                case RETURN -> {
                    if (!scanner.hasNumericId() || scanner.id() != id) {
                        throw new IOException("expected the reply to id " + id + ", got " + line());
                    }
                    return;
                }
                default -> {
                    if (lineEnd - lineStart <= 1) {
                        continue; // blank line
                    }
                    throw new IOException("unexpected message while waiting for id " + id + ": " + line());
                }
            }
        }
    }

    /** Finds the next complete line in the buffer, reading more when needed, and scans it. */
    private void nextLine() throws IOException {
        int from = in.position();
        while (true) {
            int limit = in.limit();
            for (int i = from; i < limit; i++) {
                if (in.get(i) == LF) {
                    lineStart = in.position();
                    lineEnd = i;
                    in.position(i + 1);
                    scanner.scan(in, lineStart, lineEnd);
                    return;
                }
            }
            int partial = in.remaining();
            in.compact();
            if (!in.hasRemaining()) {
                throw new IOException("a QMP line is longer than " + in.capacity() + " bytes");
            }
            if (channel.read(in) < 0) {
                throw new IOException("QEMU closed the connection");
            }
            in.flip();
            from = partial;
        }
    }

    private String line() {
        byte[] bytes = new byte[lineEnd - lineStart];
        in.get(lineStart, bytes);
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
