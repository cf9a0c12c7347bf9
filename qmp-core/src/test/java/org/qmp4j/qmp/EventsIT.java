package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.qmp.testing.QemuClientExtension;

/**
 * STOP and RESUME from a real QEMU: {@code -machine none} emits them on {@code stop} and
 * {@code cont} (checked on 7.2), so no guest is needed.
 */
class EventsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** QEMU stamps events with the host's wall clock; allow for a slow machine, not for a wrong clock. */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(30);

    @RegisterExtension
    final QemuClientExtension vm = QemuClientExtension.machineNone();
    private QmpClient client;

    @BeforeEach
    void start() {
        client = vm.client();
    }

    @Test
    void stopAndResumeArriveThroughASubscription() {
        try (EventSubscription events = client.subscribe(EventFilter.names("STOP", "RESUME"))) {
            Instant before = Instant.now();
            client.execute("stop");
            QmpEvent stop = next(events);
            assertThat(stop.name()).isEqualTo("STOP");
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(false, "paused"));

            client.execute("cont");
            QmpEvent resume = next(events);
            assertThat(resume.name()).isEqualTo("RESUME");
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));

            assertCloseToNow(stop, before);
            assertCloseToNow(resume, before);
            assertThat(resume.timestamp()).isAfterOrEqualTo(stop.timestamp());
            assertThat(events.poll(Duration.ofMillis(200))).as("no further STOP/RESUME").isEmpty();
        }
    }

    @Test
    void executeAndAwaitEventReturnsTheEventTheCommandCaused() {
        Instant before = Instant.now();
        QmpEvent stop = client.executeAndAwaitEvent("stop", null, EventFilter.names("STOP"), WAIT);
        assertThat(stop.name()).isEqualTo("STOP");
        assertCloseToNow(stop, before);
        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(false, "paused"));

        QmpEvent resume = client.executeAndAwaitEvent("cont", null, EventFilter.names("RESUME"), WAIT);
        assertThat(resume.name()).isEqualTo("RESUME");
        assertCloseToNow(resume, before);
        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
    }

    @Test
    void listenerReceivesEventsInOrderOffTheIoThreads() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (EventSubscription listener = client.addListener(EventFilter.names("STOP", "RESUME"), e -> {
            received.add(e.name());
            threads.add(Thread.currentThread().getName());
        })) {
            // The last event awaited: by then the listener has had every earlier one.
            client.execute("stop");
            client.execute("cont");
            client.executeAndAwaitEvent("stop", null, EventFilter.names("STOP"), WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(received).containsExactly("STOP", "RESUME", "STOP");
            assertThat(threads).allSatisfy(name -> assertThat(name).startsWith("qmp4j-events"));
            assertThat(listener.dropped()).isZero();
        }
    }

    @Test
    void awaitingAnEventThatNeverComesTimesOut() {
        assertThatThrownBy(() -> client.executeAndAwaitEvent("query-status", null, EventFilter.names("STOP"),
                Duration.ofMillis(300)))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("did not arrive");
        assertThat(client.queryStatus().running()).isTrue();
    }

    private static QmpEvent next(EventSubscription events) {
        Optional<QmpEvent> event = events.poll(WAIT);
        assertThat(event).as("an event within %s", WAIT).isPresent();
        return event.get();
    }

    private static void assertCloseToNow(QmpEvent event, Instant testStart) {
        assertThat(event.timestamp()).as("%s timestamp", event.name())
                .isAfterOrEqualTo(testStart.minus(CLOCK_SLACK))
                .isBeforeOrEqualTo(Instant.now().plus(CLOCK_SLACK));
    }
}
