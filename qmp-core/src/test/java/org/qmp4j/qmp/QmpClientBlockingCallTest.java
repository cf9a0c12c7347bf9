package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.testkit.PeerAction.closeClient;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.QmpMessages;

/**
 * The blocking {@code execute}: over a UNIX socket with nothing queued, the calling thread writes
 * the command itself and its own wait is the command's deadline. These tests check that it keeps
 * every promise of the asynchronous path: deadlines, failures on hang-up, order, graceful close.
 */
class QmpClientBlockingCallTest extends FakePeerSupport {
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(60);
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(300);

    @Test
    void blockingCallGoesOutWhileTheIoThreadIsBusy() throws Exception {
        QmpClient client = connect();
        CountDownLatch secondArrived = new CountDownLatch(1);
        peer.on("second", req -> {
            secondArrived.countDown();
            return List.of(reply(req, "two"));
        });
        CompletableFuture<JsonNode> first = client.executeAsync("first");
        JsonNode request = peer.nextRequest();
        CompletableFuture<Boolean> seenWhileHeld = new CompletableFuture<>();
        first.thenAccept(reply -> { // runs on the I/O thread and holds it until "second" arrives
            try {
                seenWhileHeld.complete(secondArrived.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                seenWhileHeld.completeExceptionally(e);
            }
        });
        peer.sendLine(QmpMessages.reply(request, "one"));
        assertThat(Await.until(first::isDone, Await.LIMIT)).isTrue(); // the I/O thread is in the callback now

        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> client.execute("second"));

        assertThat(Await.value(seenWhileHeld)).as("the caller wrote its command itself").isTrue();
        assertThat(Await.value(second).asText()).isEqualTo("two");
    }

    @Test
    void directWriteToAPeerThatHungUpEndsTheConnection() throws Exception {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        CompletableFuture<JsonNode> first = client.executeAsync("first");
        JsonNode request = peer.nextRequest();
        CountDownLatch release = new CountDownLatch(1);
        first.thenAccept(reply -> awaitQuietly(release)); // holds the I/O thread: it cannot see the hang-up
        peer.sendLine(QmpMessages.reply(request, "one"));
        assertThat(Await.until(first::isDone, Await.LIMIT)).isTrue();
        peer.closeClient();
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();

        try {
            // the caller finds the broken socket itself (EPIPE)
            assertThatThrownBy(() -> client.execute("query-status")).isInstanceOf(ConnectionClosedException.class);
        } finally {
            release.countDown();
        }

        Await.value(client.closeFuture()); // the connection ends properly, whoever saw the hang-up first
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(Await.failure(client.executeAsync("query-status"))).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void blockingCallTimesOutAndTheConnectionStaysUsable() {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        peer.on("hang", req -> List.of());
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.execute("hang", null, CommandOptions.timeout(SHORT_DEADLINE)))
                .isInstanceOf(CommandTimeoutException.class)
                .satisfies(e -> assertThat(((CommandTimeoutException) e).command()).isEqualTo("hang"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Await.LIMIT);
        JsonNode late = peer.nextRequest();
        peer.sendLine(QmpMessages.reply(late, "too late")); // dropped: nobody waits for it
        peer.on("query-status", req -> List.of(reply(req, Map.of("status", "running"))));
        assertThat(client.execute("query-status").path("status").asText()).isEqualTo("running");
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    @Test
    void blockingCallFailsAtOnceWhenThePeerHangsUp() {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        peer.on("die", req -> List.of(closeClient()));
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.execute("die")).isInstanceOf(ConnectionClosedException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Await.LIMIT);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void interruptedBlockingCallGivesUpItsCommand() throws Exception {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        peer.on("hang", req -> List.of());
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                client.execute("hang");
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        JsonNode hung = peer.nextRequest();
        assertThat(Await.until(() -> caller.getState() == Thread.State.TIMED_WAITING, Await.LIMIT)).isTrue();

        caller.interrupt();

        assertThat(Await.value(thrown)).isInstanceOf(Qmp4jException.class).hasMessageContaining("interrupted");
        assertThat(Await.value(stillInterrupted)).isTrue();
        caller.join(Await.LIMIT.toMillis());
        peer.sendLine(QmpMessages.reply(hung, "too late"));
        peer.on("query-status", req -> List.of(reply(req, "mine")));
        assertThat(client.execute("query-status").asText()).isEqualTo("mine");
        Await.value(client.closeAsync()); // would wait for the abandoned command if it were still registered
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void commandsOfOneThreadArriveInTheOrderSent() {
        QmpClient client = connect();
        peer.onRequest(req -> "qmp_capabilities".equals(QmpMessages.command(req)) ? null
                : List.of(reply(req, QmpMessages.command(req))));
        List<CompletableFuture<JsonNode>> asyncReplies = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            asyncReplies.add(client.executeAsync("async-" + i)); // handed to the I/O thread
            assertThat(client.execute("blocking-" + i).asText()).isEqualTo("blocking-" + i);
        }

        for (int i = 0; i < 200; i++) {
            assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("async-" + i);
            assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("blocking-" + i);
            assertThat(Await.value(asyncReplies.get(i)).asText()).isEqualTo("async-" + i);
        }
    }

    @Test
    void blockingCallsQueueNormallyWhileThePeerIsNotReading() throws Exception {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        peer.onRequest(req -> {
            String command = QmpMessages.command(req);
            if ("stall".equals(command)) {
                stalled.countDown();
                awaitQuietly(resume); // the peer reads nothing meanwhile
                return List.of(reply(req, "stalled"));
            }
            return "qmp_capabilities".equals(command) ? null : List.of(reply(req, req.path("arguments").path("n")));
        });
        CompletableFuture<JsonNode> stall = client.executeAsync("stall");
        assertThat(stalled.await(5, TimeUnit.SECONDS)).isTrue();
        // 3 KiB each: small enough to be written directly, and together more than the socket holds.
        // One caller at a time, each waiting for its reply before the next starts: so the first
        // to find the buffer full is refused by the socket itself and must take the I/O thread's
        // queue, and every later one then queues behind it.
        String filler = "f".repeat(3 * 1024);
        int callers = 160;
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                int n = i;
                CompletableFuture<JsonNode> reply = new CompletableFuture<>();
                Thread caller = new Thread(() -> {
                    try {
                        reply.complete(client.execute("fill", Map.of("n", n, "filler", filler)));
                    } catch (Throwable t) {
                        reply.completeExceptionally(t);
                    }
                });
                caller.start();
                threads.add(caller);
                replies.add(reply);
                assertThat(Await.until(() -> waitsForItsReply(caller) || reply.isDone(), Await.LIMIT)).isTrue();
            }
            assertThat(replies).as("all wait while the peer reads nothing").noneMatch(CompletableFuture::isDone);
            resume.countDown();
            for (int i = 0; i < callers; i++) {
                assertThat(replies.get(i).get(30, TimeUnit.SECONDS).asInt()).isEqualTo(i);
            }
        } finally {
            resume.countDown();
            for (Thread t : threads) {
                t.interrupt();
                t.join(5000);
            }
        }
        assertThat(Await.value(stall).asText()).isEqualTo("stalled");
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitsForItsReply(Thread caller) {
        Thread.State state = caller.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    @Test
    void callerWithItsInterruptFlagSetDoesNotCloseTheConnection() {
        QmpClient client = connect();
        peer.on("query-status", req -> List.of(reply(req, "fine")));

        Thread.currentThread().interrupt();
        try {
            client.execute("query-status"); // may return if the reply is there before the wait notices the flag
        } catch (Qmp4jException e) {
            assertThat(e).hasMessageContaining("interrupted");
        } finally {
            assertThat(Thread.interrupted()).as("the flag is the caller's: left as it was").isTrue();
        }

        assertThat(client.state()).isEqualTo(ConnectionState.READY);
        assertThat(client.execute("query-status").asText()).isEqualTo("fine");
    }

    @Test
    void gracefulCloseEndsOnceABlockingCallTimedOut() throws Exception {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        peer.on("hang", req -> List.of());
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
            try {
                client.execute("hang", null, CommandOptions.timeout(Duration.ofSeconds(1)));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        peer.nextRequest();

        CompletableFuture<Void> closing = client.closeAsync();

        assertThat(closing).isNotDone();
        assertThat(Await.value(thrown)).isInstanceOf(CommandTimeoutException.class);
        Await.value(closing);
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }
}
