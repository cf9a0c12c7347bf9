package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.testkit.PeerAction.closeClient;
import static org.qmp4j.testkit.PeerAction.error;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.transport.IoThreads;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.QmpMessages;

/**
 * Commands encoded ahead of time ({@link QmpClient#prepare}): what goes on the wire, that a reply
 * completes them on the I/O thread (so what is chained to it runs there at once), and that they
 * keep the deadlines, errors and hang-up handling of every other command.
 */
class QmpClientPreparedCommandTest extends FakePeerSupport {

    @Test
    void aPreparedCommandGoesOutWithItsArgumentsAndAFreshIdEachTime() {
        QmpClient client = connect();
        PreparedCommand prepared = client.prepare("transaction",
                Map.of("actions", List.of(Map.of("type", "blockdev-snapshot", "data", Map.of("node", "a", "overlay", "b")))));
        assertThat(prepared.name()).isEqualTo("transaction");

        CompletableFuture<JsonNode> first = client.executeAsync(prepared, CommandOptions.defaults());
        JsonNode one = peer.nextRequest();
        CompletableFuture<JsonNode> second = client.executeAsync(prepared, CommandOptions.defaults());
        JsonNode two = peer.nextRequest();

        for (JsonNode request : List.of(one, two)) {
            assertThat(request.path("execute").asText()).isEqualTo("transaction");
            assertThat(request.path("arguments").path("actions").get(0).path("data").path("overlay").asText())
                    .isEqualTo("b");
            assertThat(request.path("id").isIntegralNumber()).isTrue();
        }
        assertThat(one.path("id").asLong()).isNotEqualTo(two.path("id").asLong());
        peer.sendLine(QmpMessages.reply(two, "second"));
        peer.sendLine(QmpMessages.reply(one, "first"));
        assertThat(Await.value(first).asText()).isEqualTo("first");
        assertThat(Await.value(second).asText()).isEqualTo("second");
    }

    @Test
    void whatIsChainedToTheReplyRunsOnTheIoThread() {
        QmpClient client = connect();
        CompletableFuture<Boolean> onIoThread = new CompletableFuture<>();

        CompletableFuture<JsonNode> reply = client.executeAsync(client.prepare("transaction", Map.of("actions", List.of())),
                CommandOptions.defaults());
        reply.whenComplete((r, e) -> onIoThread.complete(IoThreads.isIoThread()));
        peer.sendLine(QmpMessages.reply(peer.nextRequest(), Map.of())); // only now: the chain is in place

        // onIoThread first: a thread waiting on the reply itself may run what is chained to it
        assertThat(Await.value(onIoThread)).as("ran on the thread that read the reply").isTrue();
        Await.value(reply);
    }

    @Test
    void anErrorReplyFailsThePreparedCommandWithQemusClass() {
        QmpClient client = connect();
        peer.on("transaction", req -> List.of(error(req, "GenericError", "no such node")));

        Throwable failure = Await.failure(client.executeAsync(client.prepare("transaction", Map.of("actions", List.of())),
                CommandOptions.defaults()));

        assertThat(failure).isInstanceOf(CommandException.class).hasMessageContaining("no such node");
        assertThat(((CommandException) failure).errorClass()).isEqualTo("GenericError");
    }

    @Test
    void aPreparedCommandWithoutAReplyTimesOutAndItsLateReplyIsDropped() {
        QmpClient client = connect(); // the peer answers nothing but what a test tells it
        peer.on("query-status", req -> List.of(reply(req, Map.of("status", "running"))));

        CompletableFuture<JsonNode> reply = client.executeAsync(client.prepare("transaction", Map.of("actions", List.of())),
                CommandOptions.timeout(Duration.ofMillis(300)));
        JsonNode request = peer.nextRequest();

        assertThat(Await.failure(reply)).isInstanceOf(CommandTimeoutException.class);
        peer.sendLine(QmpMessages.reply(request, "late"));
        assertThat(client.execute("query-status").path("status").asText()).as("the connection stays usable")
                .isEqualTo("running");
    }

    @Test
    void aHangUpFailsAPreparedCommandInFlight() {
        QmpClient client = connect();
        peer.on("transaction", req -> List.of(closeClient()));

        Throwable failure = Await.failure(client.executeAsync(client.prepare("transaction", Map.of("actions", List.of())),
                CommandOptions.defaults()));

        assertThat(failure).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void argumentsThatAreNoObjectAreRefusedWhenPrepared() {
        QmpClient client = connect();

        assertThatThrownBy(() -> client.prepare("transaction", List.of(1, 2)))
                .isInstanceOf(InvalidArgumentsException.class).hasMessageContaining("transaction");
    }

    @Test
    void aCommandNotPreparedByAClientIsRefused() {
        QmpClient client = connect();
        PreparedCommand foreign = () -> "transaction";

        assertThat(Await.failure(client.executeAsync(foreign, CommandOptions.defaults())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPreparedCommandOnAClosedClientFailsAtOnce() {
        QmpClient client = connect();
        PreparedCommand prepared = client.prepare("query-status", null);
        Await.value(client.closeAsync());

        assertThat(Await.failure(client.executeAsync(prepared, CommandOptions.defaults())))
                .isInstanceOf(ConnectionClosedException.class);
    }
}
