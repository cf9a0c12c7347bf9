package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.testkit.PeerAction.error;
import static org.qmp4j.testkit.PeerAction.event;
import static org.qmp4j.testkit.PeerAction.reply;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.QmpMessages;

/** Events reach each subscriber through its own filter, queue and overflow policy. */
class QmpClientEventsTest extends FakePeerSupport {
    private static final String END = "END";

    @Test
    void subscribersWithDifferentFiltersGetTheirOwnEventsInOrder() {
        QmpClient client = connect();
        EventSubscription byName = client.subscribe(EventFilter.names("STOP", "RESUME").or(EventFilter.names(END)));
        EventSubscription byData = client.subscribe(EventFilter.dataEquals("job.len", 1024)
                .or(EventFilter.names(END)));

        sendEvents(
                QmpMessages.event("STOP", Map.of("n", 1)),
                QmpMessages.event("BLOCK_JOB_COMPLETED", Map.of("n", 2, "job", Map.of("len", 1024))),
                QmpMessages.event("RESUME", Map.of("n", 3)),
                QmpMessages.event("BLOCK_JOB_COMPLETED", Map.of("n", 4, "job", Map.of("len", 1024.0))),
                QmpMessages.event("BLOCK_JOB_COMPLETED", Map.of("n", 5, "job", Map.of("len", new BigDecimal("1.024E3")))),
                QmpMessages.event("BLOCK_JOB_COMPLETED", Map.of("n", 6, "job", Map.of("len", 2048))),
                QmpMessages.event("BLOCK_JOB_COMPLETED", Map.of("n", 7, "job", Map.of("len", "1024"))),
                QmpMessages.event("SHUTDOWN", Map.of("n", 8)),
                QmpMessages.event("STOP", Map.of("n", 9)),
                QmpMessages.event(END, null));

        assertThat(numbers(eventsUntil(byName, END))).containsExactly(1, 3, 9);
        assertThat(numbers(eventsUntil(byData, END))).containsExactly(2, 4, 5);
    }

    @Test
    void listenerRunsInOrderAndNotOnAnIoThread() {
        QmpClient client = connect();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> last = new CompletableFuture<>();
        client.addListener(EventFilter.names("TICK"), e -> {
            threads.add(Thread.currentThread().getName());
            seen.add(e.data("n").asInt());
            if (e.data("n").asInt() == 48) {
                last.complete(null);
            }
        });

        sendEvents(IntStream.range(0, 50)
                .mapToObj(i -> QmpMessages.event(i % 7 == 0 ? "OTHER" : "TICK", Map.of("n", i)))
                .toArray(String[]::new));

        Await.value(last);
        assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 49).filter(i -> i % 7 != 0).boxed()
                .collect(Collectors.toList()));
        assertThat(threads).isNotEmpty().noneMatch(name -> name.startsWith("qmp4j-io"));
    }

    @Test
    void dropOldestKeepsTheLatestEvents() {
        EventSubscription small = overflowedSubscription(OverflowPolicy.DROP_OLDEST);

        assertThat(drain(small)).containsExactly(3, 4, 5);
        assertThat(small.dropped()).isEqualTo(3);
    }

    @Test
    void dropNewestKeepsTheFirstEvents() {
        EventSubscription small = overflowedSubscription(OverflowPolicy.DROP_NEWEST);

        assertThat(drain(small)).containsExactly(0, 1, 2);
        assertThat(small.dropped()).isEqualTo(3);
    }

    @Test
    void failEndsTheSubscriptionAfterTheQueuedEvents() {
        EventSubscription small = overflowedSubscription(OverflowPolicy.FAIL);

        for (int expected = 0; expected < 3; expected++) {
            assertThat(small.poll(Duration.ZERO)).map(e -> e.data("n").asInt()).contains(expected);
        }
        assertThatThrownBy(() -> small.poll(Duration.ZERO)).isInstanceOf(EventOverflowException.class);
    }

    @Test
    void closedSubscriptionReceivesNothingMore() {
        QmpClient client = connect();
        EventSubscription closed = client.subscribe(EventFilter.all());
        EventSubscription watcher = client.subscribe(EventFilter.names(END));
        closed.close();

        sendEvents(QmpMessages.event("STOP", null), QmpMessages.event(END, null));

        assertThat(watcher.poll(Await.LIMIT)).isPresent();
        assertThat(closed.poll(Duration.ZERO)).isEmpty();
    }

    @Test
    void awaitedEventMayArriveBeforeTheReply() {
        QmpClient client = connect();
        peer.on("job-start", req -> List.of(
                event("JOB_DONE", Map.of("id", "other-job")),
                event("JOB_DONE", Map.of("id", "j1", "status", "concluded")),
                reply(req, Map.of())));

        QmpEvent done = client.executeAndAwaitEvent("job-start", Map.of("id", "j1"),
                EventFilter.named("JOB_DONE", "id", "j1"), Await.LIMIT);

        assertThat(done.name()).isEqualTo("JOB_DONE");
        assertThat(done.data("status").asText()).isEqualTo("concluded");
    }

    @Test
    void awaitedEventThatNeverComesTimesOut() {
        QmpClient client = connect();
        peer.on("job-start", req -> List.of(reply(req, Map.of())));

        Throwable failure = Await.failure(client.executeAndAwaitEventAsync("job-start", null,
                EventFilter.names("JOB_DONE"), Duration.ofMillis(300)));

        assertThat(failure).isInstanceOf(CommandTimeoutException.class);
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    @Test
    void failedCommandEndsTheAwaitWithItsErrorAtOnce() {
        QmpClient client = connect();
        peer.on("job-start", req -> List.of(error(req, "GenericError", "no such job type")));

        // The event deadline is far beyond the wait: the command's error must end it.
        Throwable failure = Await.failure(client.executeAndAwaitEventAsync("job-start", null,
                EventFilter.names("JOB_DONE"), Duration.ofMinutes(5)));

        assertThat(failure).isInstanceOfSatisfying(CommandException.class,
                e -> assertThat(e.description()).isEqualTo("no such job type"));
    }

    /**
     * A pull subscription of capacity 3 that was offered six events (n = 0..5) without being
     * read; returns once all six went through dispatch.
     */
    private EventSubscription overflowedSubscription(OverflowPolicy policy) {
        QmpClient client = connect();
        EventSubscription small = client.subscribe(EventFilter.names("E"), 3, policy);
        EventSubscription watcher = client.subscribe(EventFilter.names(END));

        sendEvents(IntStream.range(0, 6).mapToObj(i -> QmpMessages.event("E", Map.of("n", i))).toArray(String[]::new));
        peer.sendLine(QmpMessages.event(END, null));

        // Events are dispatched in order: once END is seen, every E was offered to the small queue.
        assertThat(watcher.poll(Await.LIMIT)).isPresent();
        return small;
    }

    /** Sends the lines in one write, so the client reads several events at once. */
    private void sendEvents(String... lines) {
        peer.sendLine(String.join("\r\n", lines));
    }

    private static List<Integer> drain(EventSubscription subscription) {
        return IntStream.iterate(0, i -> i + 1)
                .mapToObj(i -> subscription.poll(Duration.ZERO))
                .takeWhile(java.util.Optional::isPresent)
                .map(e -> e.get().data("n").asInt())
                .collect(Collectors.toList());
    }

    private static List<Integer> numbers(List<QmpEvent> events) {
        return events.stream().map(e -> e.data("n").asInt()).collect(Collectors.toList());
    }
}
