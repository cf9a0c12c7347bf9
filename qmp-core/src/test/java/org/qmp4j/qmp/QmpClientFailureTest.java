package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.testkit.PeerAction.bytes;
import static org.qmp4j.testkit.PeerAction.closeClient;
import static org.qmp4j.testkit.PeerAction.pause;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.QmpMessages;

/**
 * What the client does when the peer breaks the protocol, hangs up or stays silent: pending
 * commands fail at once with the reason, the connection closes (or, after a timeout, stays
 * usable), and nothing is delivered to the wrong caller.
 */
class QmpClientFailureTest extends FakePeerSupport {
    private static final int CAP = 64 * 1024;
    /** Far beyond every wait in these tests: a command failing "at once" cannot be its deadline. */
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(60);

    @Test
    void invalidJsonClosesTheConnectionAndFailsEverything() {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        EventSubscription events = client.subscribe(EventFilter.all());
        CompletableFuture<JsonNode> pending = client.executeAsync("query-status");
        peer.nextRequest();

        peer.sendLine("{\"return\": {}, \"id\": oops");

        assertClosedBy(pending, ProtocolException.class);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThatThrownBy(() -> events.poll(Await.LIMIT)).isInstanceOf(ConnectionClosedException.class)
                .satisfies(e -> assertThat(Await.causeChain(e)).hasAtLeastOneElementOfType(ProtocolException.class));
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
        assertThat(Await.failure(client.executeAsync("query-status"))).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void replyBelowTheFrameCapIsDelivered() {
        QmpClient client = connect(b -> b.maxFrameBytes(CAP));
        String value = "y".repeat(CAP - 100);
        peer.on("big", req -> List.of(reply(req, value)));

        assertThat(client.execute("big").asText()).isEqualTo(value);
    }

    @Test
    void unterminatedDataOverTheFrameCapClosesTheConnection() {
        QmpClient client = connect(b -> b.maxFrameBytes(CAP).commandTimeout(LONG_DEADLINE));
        CompletableFuture<JsonNode> pending = client.executeAsync("query-status");
        peer.nextRequest();
        byte[] noNewline = new byte[100 * 1024];
        Arrays.fill(noNewline, (byte) 'x');

        peer.send(noNewline); // may fail half-way once the client hangs up; that is fine

        FrameTooLargeException tooLarge = assertClosedBy(pending, FrameTooLargeException.class);
        assertThat(tooLarge.maxFrameBytes()).isEqualTo(CAP);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
    }

    @Test
    void completeLineOverTheFrameCapClosesTheConnection() {
        QmpClient client = connect(b -> b.maxFrameBytes(CAP).commandTimeout(LONG_DEADLINE));
        CompletableFuture<JsonNode> pending = client.executeAsync("big");
        JsonNode request = peer.nextRequest();

        // A well-formed reply to the pending command, only too long: it must not be delivered.
        peer.sendLine(QmpMessages.reply(request, "z".repeat(100 * 1024)));

        assertClosedBy(pending, FrameTooLargeException.class);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void eofInTheMiddleOfAReplyFailsPendingCommandsAtOnce() {
        QmpClient client = connect(b -> b.commandTimeout(LONG_DEADLINE));
        peer.on("query-status", req -> List.of(
                bytes("{\"return\": {\"running\": tr".getBytes(StandardCharsets.UTF_8)),
                pause(Duration.ofMillis(50)), closeClient()));
        CompletableFuture<JsonNode> other = client.executeAsync("query-block");
        CompletableFuture<JsonNode> cut = client.executeAsync("query-status");

        assertThat(Await.failure(cut)).isInstanceOf(ConnectionClosedException.class);
        assertThat(Await.failure(other)).isInstanceOf(ConnectionClosedException.class);
        Await.value(client.closeFuture());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void unansweredCommandTimesOutAndItsLateReplyIsDropped() {
        QmpClient client = connect();
        CompletableFuture<JsonNode> silent = client.executeAsync("query-status", null,
                CommandOptions.timeout(Duration.ofMillis(300)));
        JsonNode silentRequest = peer.nextRequest();

        Throwable failure = Await.failure(silent);

        assertThat(failure).isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
            assertThat(e.command()).isEqualTo("query-status");
            assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
        });
        assertThat(client.state()).isEqualTo(ConnectionState.READY);

        // The next command is in flight when the late reply comes: it must get its own reply only.
        CompletableFuture<JsonNode> next = client.executeAsync("query-status");
        JsonNode nextRequest = peer.nextRequest();
        assertThat(nextRequest.get("id")).isNotEqualTo(silentRequest.get("id"));
        peer.sendLine(QmpMessages.reply(silentRequest, Map.of("status", "late")));
        peer.sendLine(QmpMessages.reply(nextRequest, Map.of("status", "mine")));

        assertThat(Await.value(next).path("status").asText()).isEqualTo("mine");
        assertThat(client.state()).isEqualTo(ConnectionState.READY);
    }

    /** Asserts the command failed with ConnectionClosedException caused by {@code cause}; returns the cause. */
    private static <T extends Throwable> T assertClosedBy(CompletableFuture<?> command, Class<T> cause) {
        Throwable failure = Await.failure(command);
        assertThat(failure).isInstanceOf(ConnectionClosedException.class);
        assertThat(Await.causeChain(failure)).hasAtLeastOneElementOfType(cause);
        return Await.causeChain(failure).stream().filter(cause::isInstance).map(cause::cast).findFirst().orElseThrow();
    }
}
