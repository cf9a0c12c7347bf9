package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.testkit.PeerAction.event;
import static org.qmp4j.testkit.PeerAction.line;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/** Replies reach the command they answer, however the peer interleaves, splits or sizes them. */
class QmpClientRoutingTest extends FakePeerSupport {

    @Test
    void eventsAroundRepliesNeitherStealNorReorderThem() {
        // Events before the negotiation reply: negotiation must still complete with its own reply.
        peer.on("qmp_capabilities", req -> List.of(event("EARLY", Map.of("n", 0)), event("EARLY", Map.of("n", 1)),
                reply(req, Map.of())));
        QmpClient client = connect();
        assertThat(client.state()).isEqualTo(ConnectionState.READY);

        EventSubscription events = client.subscribe(EventFilter.all());
        peer.on("query-status", req -> List.of(event("STOP", Map.of("n", 2)), event("RESUME", Map.of("n", 3)),
                event("STOP", Map.of("n", 4)), reply(req, Map.of("running", true, "status", "running"))));

        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            QmpEvent e = events.poll(Await.LIMIT).orElseThrow();
            received.add(e.name() + e.data("n"));
        }
        // The pre-negotiation events are not replayed to a later subscriber.
        assertThat(received).containsExactly("STOP2", "RESUME3", "STOP4");
    }

    @Test
    void eventsSentBeforeAReplyAreQueuedByTheTimeItIsDelivered() {
        QmpClient client = connect();
        EventSubscription events = client.subscribe(EventFilter.names("JOB_STATUS_CHANGE"));
        peer.on("step", req -> List.of(event("JOB_STATUS_CHANGE", Map.of("id", "j", "status", "running")),
                event("JOB_STATUS_CHANGE", Map.of("id", "j", "status", "concluded")), reply(req, Map.of())));

        for (int round = 0; round < 50; round++) {
            if (round % 2 == 0) {
                client.execute("step");
            } else {
                Await.value(client.executeAsync("step"));
            }
            // no waiting: both must already be there
            assertThat(events.poll(Duration.ZERO)).map(e -> e.data("status").asText()).contains("running");
            assertThat(events.poll(Duration.ZERO)).map(e -> e.data("status").asText()).contains("concluded");
        }
    }

    @Test
    void replySplitIntoSingleBytesIsReassembled() {
        QmpClient client = connect();
        peer.on("query-status", req -> PeerAction.trickle(
                QmpMessages.reply(req, Map.of("running", false, "status", "paused")), "\r\n", Duration.ofMillis(1)));

        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(false, "paused"));
    }

    @Test
    void fiveMebibyteReplyIsDeliveredIntact() {
        QmpClient client = connect();
        String big = randomText(5 * 1024 * 1024, new Random(42));
        peer.on("big", req -> List.of(reply(req, big)));

        JsonNode result = client.execute("big");

        assertThat(result.isTextual()).isTrue();
        assertThat(result.asText()).hasSize(big.length()).isEqualTo(big);
    }

    @Test
    void errorWithoutIdIsNotMatchedToThePendingCommand() {
        QmpClient client = connect();
        peer.on("query-status", req -> List.of(
                line(QmpMessages.idLessError("GenericError", "JSON parse error")),
                reply(req, Map.of("running", true, "status", "running"))));

        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    @Test
    void replyWithUnknownIdIsDropped() {
        QmpClient client = connect();
        peer.on("query-status", req -> List.of(
                line(QmpMessages.replyWithId(987654, Map.of("running", false, "status", "wrong"))),
                line(QmpMessages.replyWithId("not-a-number", Map.of("running", false, "status", "wrong"))),
                reply(req, Map.of("running", true, "status", "running"))));

        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    @Test
    void commandErrorKeepsClassAndDescription() {
        QmpClient client = connect();
        peer.on("blockdev-del", req -> List.of(
                PeerAction.error(req, "DeviceNotFound", "Failed to find node with node-name='nope'")));

        Throwable failure = Await.failure(client.executeAsync("blockdev-del", Map.of("node-name", "nope")));

        assertThat(failure).isInstanceOfSatisfying(CommandException.class, e -> {
            assertThat(e.command()).isEqualTo("blockdev-del");
            assertThat(e.errorClass()).isEqualTo("DeviceNotFound");
            assertThat(e.description()).isEqualTo("Failed to find node with node-name='nope'");
        });
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    @Test
    void typedResultIgnoresUnknownFields() {
        QmpClient client = connect();
        peer.on("query-status", req -> List.of(reply(req, Map.of("running", true, "status", "running",
                "singlestep", false, "future-field", Map.of("nested", List.of(1, 2))))));

        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
    }

    @Test
    void typedResultThatCannotBeDecodedFailsWithProtocolException() {
        QmpClient client = connect();
        peer.on("query-status", req -> List.of(reply(req, List.of(1, 2, 3))));

        CompletableFuture<StatusInfo> status = client.executeAsync("query-status", null, StatusInfo.class);

        assertThat(Await.failure(status)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("StatusInfo");
        // A reply the caller cannot decode is no reason to drop the connection.
        peer.on("query-status", req -> List.of(reply(req, Map.of("running", true, "status", "running"))));
        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
    }

    private static String randomText(int length, Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
