package org.qmp4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.qmp4j.qmp.QmpClient;

/**
 * qmp4j as an application would use it: {@link QmpClient#connect(Path)} with default options,
 * the blocking {@code execute} for sequential calls, and {@code executeAsync} for the pipeline.
 */
final class Qmp4jTarget implements BenchTarget {
    private final QmpClient client;

    private Qmp4jTarget(QmpClient client) {
        this.client = client;
    }

    /** Connects with default options (its own single I/O thread). */
    static Qmp4jTarget connect(Path socket) {
        return new Qmp4jTarget(QmpClient.connect(socket));
    }

    @Override
    public String name() {
        return "qmp4j";
    }

    @Override
    public void roundTrip() {
        check(client.execute("query-status"));
    }

    @Override
    public long pipelined(int count, int window) throws Exception {
        long start = System.nanoTime();
        new Pipeline(client, count).start(window).get(deadlineSeconds(count), TimeUnit.SECONDS);
        return System.nanoTime() - start;
    }

    /**
     * Sequential round trips without the caller's thread: each next {@code query-status} is sent
     * from the previous one's completion callback, on the I/O thread. Compared with
     * {@link #roundTrip()} in a loop, this leaves out the two thread hand-offs of a blocking
     * call (caller to I/O thread for the write, I/O thread back to the caller for the reply).
     * Returns each round trip's nanoseconds.
     */
    long[] chainedLatencies(int count) throws Exception {
        return new Chain(client, count).start().get(deadlineSeconds(count), TimeUnit.SECONDS);
    }

    /** A generous bound for {@code count} commands (QEMU answers a few thousand per second). */
    private static long deadlineSeconds(int count) {
        return 60 + count / 100;
    }

    /** Whether a reply is a good query-status; otherwise {@code done} fails with why. */
    private static boolean accepted(JsonNode status, Throwable failure, CompletableFuture<?> done) {
        if (failure != null) {
            done.completeExceptionally(failure);
            return false;
        }
        try {
            check(status);
            return true;
        } catch (IllegalStateException e) {
            done.completeExceptionally(e);
            return false;
        }
    }

    private static void check(JsonNode status) {
        if (status == null || !status.isObject()) {
            throw new IllegalStateException("query-status returned " + status);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** One command at a time, each sent from the previous one's completion. */
    private static final class Chain {
        private final QmpClient client;
        private final long[] nanos;
        private final CompletableFuture<long[]> done = new CompletableFuture<>();
        private int completed;
        private long sentAt;

        Chain(QmpClient client, int count) {
            this.client = client;
            this.nanos = new long[count];
        }

        CompletableFuture<long[]> start() {
            send();
            return done;
        }

        private void send() {
            sentAt = System.nanoTime();
            client.executeAsync("query-status").whenComplete(this::onReply);
        }

        private void onReply(JsonNode status, Throwable failure) {
            long now = System.nanoTime();
            if (!accepted(status, failure, done)) {
                return;
            }
            nanos[completed++] = now - sentAt;
            if (completed == nanos.length) {
                done.complete(nanos);
            } else {
                send();
            }
        }
    }

    /**
     * {@code window} chains of {@code executeAsync}: each completion (on the I/O thread) sends
     * the next command right there, without blocking, so {@code window} commands stay in flight,
     * as in the plain client's loop. Counters are touched only by the thread that completes a
     * reply, which is always the connection's one I/O thread after the first sends.
     */
    private static final class Pipeline {
        private final QmpClient client;
        private final int count;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int issued;
        private int completed;

        Pipeline(QmpClient client, int count) {
            this.client = client;
            this.count = count;
        }

        CompletableFuture<Void> start(int window) {
            synchronized (this) {
                for (int i = 0; i < Math.min(window, count); i++) {
                    sendNext();
                }
            }
            return done;
        }

        private void sendNext() {
            issued++;
            client.executeAsync("query-status").whenComplete(this::onReply);
        }

        private synchronized void onReply(JsonNode status, Throwable failure) {
            if (!accepted(status, failure, done)) {
                return;
            }
            if (++completed == count) {
                done.complete(null);
            } else if (issued < count && !done.isDone()) {
                sendNext();
            }
        }
    }
}
