package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.testkit.PeerAction.error;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;

/** Connecting completes only after greeting and negotiation, and fails cleanly otherwise. */
class QmpClientConnectTest extends FakePeerSupport {
    private static final Duration SHORT_CONNECT = Duration.ofMillis(500);

    @Test
    void connectedClientKnowsTheGreetingAndIsReady() {
        QmpClient client = connect();

        assertThat(client.greeting().version()).isEqualTo(
                new QemuVersion(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u18"));
        assertThat(client.greeting().capabilities()).containsExactly("oob");
        assertThat(client.negotiatedCapabilities()).isEmpty();
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
        assertThat(negotiation.has("arguments")).isFalse();
    }

    @Test
    void repeatedConnectsAllSucceed() {
        // Regression: a select between channel registration and connect used to close the
        // channel (junixsocket reports an unconnected socket as hung up): ~1 connect in 10 failed.
        for (int i = 0; i < 50; i++) {
            QmpClient client = connect();
            assertThat(client.state()).isEqualTo(ConnectionState.READY);
            client.close();
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }

    @Test
    void peerThatNeverGreetsFailsWithinTheConnectDeadline() {
        restartPeer(FakeQmpPeer.builder().noGreeting());

        Throwable failure = Await.failure(connectAsync(options().connectTimeout(SHORT_CONNECT)));

        assertThat(failure).isInstanceOf(ConnectionFailedException.class)
                .hasMessageContaining(String.valueOf(SHORT_CONNECT.toMillis()));
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
    }

    @Test
    void peerThatSendsSomethingElseFirstFailsWithProtocolException() {
        restartPeer(FakeQmpPeer.builder().greeting("{\"hello\": \"I am not QEMU\"}"));

        Throwable failure = Await.failure(connectAsync(options().connectTimeout(Duration.ofSeconds(30))));

        assertThat(failure).isInstanceOf(ConnectionFailedException.class);
        assertThat(Await.causeChain(failure)).hasAtLeastOneElementOfType(ProtocolException.class);
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
    }

    @Test
    void peerThatHangsUpBeforeGreetingFailsWithoutWaitingForTheDeadline() {
        restartPeer(FakeQmpPeer.builder().noGreeting());
        CompletableFuture<QmpClient> connecting = connectAsync(options().connectTimeout(Duration.ofSeconds(30)));
        assertThat(peer.awaitConnected(Await.LIMIT)).isTrue();

        peer.closeClient();

        assertThat(Await.failure(connecting)).isInstanceOf(ConnectionFailedException.class);
    }

    @Test
    void refusedNegotiationFailsWithTheCommandError() {
        peer.on("qmp_capabilities", req -> List.of(error(req, "GenericError", "capabilities negotiation refused")));

        Throwable failure = Await.failure(connectAsync(options()));

        assertThat(failure).isInstanceOf(ConnectionFailedException.class);
        assertThat(Await.causeChain(failure)).anySatisfy(c -> assertThat(c)
                .isInstanceOfSatisfying(CommandException.class, e ->
                        assertThat(e.description()).isEqualTo("capabilities negotiation refused")));
    }

    @Test
    void missingSocketFailsWithConnectionFailed() {
        Path missing = peer.socket().resolveSibling("nobody-listens-here.sock");

        Throwable failure = Await.failure(QmpClient.connectAsync(QmpOptions.unix(missing)));

        assertThat(failure).isInstanceOf(ConnectionFailedException.class);
    }

    /** Connects, and makes sure a client that connects by mistake is still cleaned up. */
    private CompletableFuture<QmpClient> connectAsync(QmpOptions.Builder options) {
        CompletableFuture<QmpClient> connecting = QmpClient.connectAsync(options.build());
        connecting.thenAccept(this::track);
        return connecting;
    }
}
