package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.QemuProcess;

/**
 * {@code qmp4j events} against a real QEMU, run in this JVM; the test drives QEMU through its
 * second monitor.
 */
class CliEventsIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private QemuProcess qemu;
    private SecondMonitor monitor;

    @BeforeEach
    void startQemu() {
        qemu = QemuProcess.startMachineNoneWithSecondMonitor();
        monitor = SecondMonitor.connect(qemu);
    }

    @AfterEach
    void stopQemu() {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            qemu.close();
        }
    }

    private String socket() {
        return qemu.qmpSocket().toString();
    }

    @Test
    void printsTheEventInWireFormAndStopsAfterCount() throws Exception {
        CliRun.Background events = CliRun.inBackground("events", "--socket", socket(),
                "--name", "STOP", "--count", "1", "--timeout", "30s");
        monitor.stopAndContinueUntil(events.result()::isDone, LIMIT);
        CliRun run = events.await();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        List<JsonNode> lines = run.jsonLines();
        assertThat(lines).hasSize(1);
        JsonNode stop = lines.get(0);
        assertThat(stop.fieldNames()).toIterable().containsExactly("event", "data", "timestamp");
        assertThat(stop.path("event").asText()).isEqualTo("STOP");
        assertThat(stop.path("data").isObject()).isTrue();
        assertThat(stop.path("data").size()).isZero();
        long seconds = stop.path("timestamp").path("seconds").asLong();
        assertThat(Instant.ofEpochSecond(seconds)).isBetween(Instant.now().minusSeconds(600), Instant.now().plusSeconds(1));
        assertThat(stop.path("timestamp").path("microseconds").asLong()).isBetween(0L, 999_999L);
    }

    @Test
    void namesFilterTheEvents() throws Exception {
        CliRun.Background events = CliRun.inBackground("events", "--socket", socket(),
                "--name", "RESUME", "--name", "NO_SUCH_EVENT", "--count", "2", "--timeout", "30s");
        monitor.stopAndContinueUntil(events.result()::isDone, LIMIT);
        CliRun run = events.await();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.jsonLines()).hasSize(2).allSatisfy(e -> assertThat(e.path("event").asText()).isEqualTo("RESUME"));
    }

    @Test
    void tooFewEventsBeforeTheTimeoutExits5() {
        long start = System.nanoTime();
        CliRun run = CliRun.inProcess("events", "--socket", socket(), "--name", "STOP", "--count", "1",
                "--timeout", "500ms");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: timeout: got 0 of 1 events within 500ms\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    /** Quits QEMU once the CLI printed its first event, so it is past connecting for sure. */
    private CliRun quitAfterFirstEvent(CliRun.Background events) throws Exception {
        monitor.stopAndContinueUntil(() -> events.printed() || events.result().isDone(), LIMIT);
        monitor.client().executeAsync("quit");
        return events.await();
    }

    @Test
    void connectionClosedBeforeCountExits4() throws Exception {
        CliRun run = quitAfterFirstEvent(CliRun.inBackground("events", "--socket", socket(),
                "--name", "STOP", "--count", "1000", "--timeout", "30s"));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
        assertThat(run.jsonLines()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("event").asText()).isEqualTo("STOP"));
        assertThat(run.err()).startsWith("error: connection closed after " + run.jsonLines().size() + " of 1000 events");
    }

    @Test
    void withoutCountTheTimeoutIsANormalEnd() {
        CliRun run = CliRun.inProcess("events", "--socket", socket(), "--timeout", "500ms");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withoutCountTheConnectionClosingIsANormalEnd() throws Exception {
        CliRun run = quitAfterFirstEvent(CliRun.inBackground("events", "--socket", socket(), "--timeout", "30s"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        List<JsonNode> lines = run.jsonLines();
        assertThat(lines.get(0).path("event").asText()).isIn("STOP", "RESUME");
        assertThat(lines.get(lines.size() - 1).path("event").asText()).as("QEMU's last word").isEqualTo("SHUTDOWN");
    }

    @Test
    void missingSocketExits4() {
        CliRun run = CliRun.inProcess("events", "--socket", dir.resolve("absent.sock").toString(), "--count", "1");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).startsWith("error: cannot connect to unix:");
    }
}
