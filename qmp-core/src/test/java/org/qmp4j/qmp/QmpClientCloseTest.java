package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.testkit.PeerAction.pause;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.QmpMessages;

/** Graceful close, abort, and what happens to the threads afterwards. */
class QmpClientCloseTest extends FakePeerSupport {
    private static final Duration THREADS_GONE = Duration.ofSeconds(10);

    @Test
    void closeWaitsForTheCommandInFlight() {
        QmpClient client = connect();
        peer.on("slow", req -> List.of(pause(Duration.ofMillis(300)), reply(req, "done")));
        CompletableFuture<JsonNode> slow = client.executeAsync("slow");
        peer.nextRequest();

        client.close();

        assertThat(slow).isCompleted();
        assertThat(Await.value(slow).asText()).isEqualTo("done");
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(Await.failure(client.executeAsync("query-status"))).isInstanceOf(ConnectionClosedException.class);
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
    }

    @Test
    void closingRefusesNewCommandsUntilTheLastReply() {
        QmpClient client = connect();
        CompletableFuture<JsonNode> inFlight = client.executeAsync("slow");
        JsonNode request = peer.nextRequest();

        CompletableFuture<Void> closing = client.closeAsync();

        assertThat(client.state()).isEqualTo(ConnectionState.CLOSING);
        assertThat(Await.failure(client.executeAsync("query-status"))).isInstanceOf(ConnectionClosedException.class);
        assertThat(closing).isNotDone();
        peer.sendLine(QmpMessages.reply(request, "done"));
        Await.value(closing);
        assertThat(Await.value(inFlight).asText()).isEqualTo("done");
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void abortFailsCommandsInFlightAtOnce() {
        QmpClient client = connect(b -> b.commandTimeout(Duration.ofSeconds(60)));
        EventSubscription events = client.subscribe(EventFilter.all());
        CompletableFuture<JsonNode> inFlight = client.executeAsync("slow");
        peer.nextRequest();

        client.abort();

        assertThat(Await.failure(inFlight)).isInstanceOf(ConnectionClosedException.class);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(Await.failure(CompletableFuture.runAsync(() -> events.poll(Await.LIMIT))))
                .isInstanceOf(ConnectionClosedException.class);
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
    }

    @Test
    void clientWithItsOwnResourcesLeavesNoThreadsBehind() {
        QmpClient client = connect();
        CompletableFuture<QmpEvent> delivered = new CompletableFuture<>();
        client.addListener(EventFilter.all(), delivered::complete);
        peer.sendLine(QmpMessages.event("STOP", null));
        Await.value(delivered);
        // Both kinds of thread a client owns are running: the check below means something.
        assertThat(Await.threadsNamed("qmp4j-io")).isNotEmpty();
        assertThat(Await.threadsNamed("qmp4j-events")).isNotEmpty();

        client.close();

        assertNoQmp4jThreadsWithin(THREADS_GONE);
    }

    @Test
    void sharedResourcesOutliveTheirClientsUntilClosed() {
        try (ClientResources resources = ClientResources.create(1); FakeQmpPeer other = FakeQmpPeer.start()) {
            QmpClient first = connect(b -> b.resources(resources));
            QmpClient second = track(QmpClient.connect(QmpOptions.builder(Endpoint.unix(other.socket())).resources(resources).build()));
            other.on("query-status", req -> List.of(reply(req, Map.of("running", true, "status", "running"))));

            first.close();

            assertThat(second.queryStatus().running()).isTrue();
            second.close();
            assertThat(Await.threadsNamed("qmp4j-io")).isNotEmpty();
            assertThat(resources.unixGroup().isShuttingDown()).isFalse();

            resources.close();

            assertNoQmp4jThreadsWithin(THREADS_GONE);
        }
    }

    private static void assertNoQmp4jThreadsWithin(Duration limit) {
        boolean gone = Await.until(() -> Await.threadsNamed("qmp4j-").isEmpty(), limit);
        assertThat(gone).withFailMessage("qmp4j threads still running after %s: %s", limit,
                Await.threadsNamed("qmp4j-")).isTrue();
    }
}
