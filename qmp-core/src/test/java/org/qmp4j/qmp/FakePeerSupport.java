package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.QmpMessages;

/**
 * Base of the tests that run the real {@link QmpClient} against a {@link FakeQmpPeer}: one peer
 * per test, and every client made through {@link #connect} is aborted and awaited afterwards,
 * whatever the test did, so no socket or thread outlives it.
 */
abstract class FakePeerSupport {
    protected FakeQmpPeer peer;
    /** The {@code qmp_capabilities} request of the last {@link #connect} call. */
    protected JsonNode negotiation;
    private final List<QmpClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startPeer() {
        peer = FakeQmpPeer.start();
    }

    @AfterEach
    void stopClientsAndPeer() {
        try {
            for (QmpClient client : clients) {
                client.abort();
                Await.value(client.closeFuture());
            }
        } finally {
            peer.close();
        }
    }

    /** Connects with default options and checks the negotiation request the peer received. */
    protected QmpClient connect() {
        return connect(b -> b);
    }

    /** Connects with adjusted options and checks the negotiation request the peer received. */
    protected QmpClient connect(UnaryOperator<QmpOptions.Builder> options) {
        QmpClient client = track(QmpClient.connect(options.apply(options()).build()));
        negotiation = peer.nextRequest();
        assertThat(QmpMessages.command(negotiation)).isEqualTo("qmp_capabilities");
        return client;
    }

    /** Replaces this test's peer with one built differently (e.g. another greeting). */
    protected void restartPeer(FakeQmpPeer.Builder builder) {
        peer.close();
        peer = builder.start();
    }

    /** Options for this test's peer. */
    protected QmpOptions.Builder options() {
        return QmpOptions.builder(Endpoint.unix(peer.socket()));
    }

    /**
     * The events {@code subscription} receives up to (not including) the first one named
     * {@code end}, each waited for up to {@link Await#LIMIT}.
     */
    protected static List<QmpEvent> eventsUntil(EventSubscription subscription, String end) {
        List<QmpEvent> events = new ArrayList<>();
        while (true) {
            QmpEvent event = subscription.poll(Await.LIMIT)
                    .orElseThrow(() -> new AssertionError("no " + end + " event within " + Await.LIMIT));
            if (event.name().equals(end)) {
                return events;
            }
            events.add(event);
        }
    }

    /** Registers a client made elsewhere for cleanup. */
    protected QmpClient track(QmpClient client) {
        clients.add(client);
        return client;
    }
}
