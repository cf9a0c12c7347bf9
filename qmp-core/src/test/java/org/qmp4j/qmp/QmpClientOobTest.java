package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.testkit.PeerAction.reply;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.QmpMessages;

/** Out-of-band execution is negotiated only when asked for and offered, and used only then. */
class QmpClientOobTest extends FakePeerSupport {
    private static final CommandOptions OOB = CommandOptions.defaults().withOob(true);

    @Test
    void enabledOobIsNegotiatedAndSentAsExecOob() {
        QmpClient client = connect(b -> b.enableOob(true));

        assertThat(negotiation.path("arguments")).isEqualTo(QmpMessages.parse("{\"enable\": [\"oob\"]}"));
        assertThat(client.negotiatedCapabilities()).containsExactly("oob");

        peer.on("migrate-pause", req -> List.of(reply(req, Map.of())));
        CompletableFuture<JsonNode> paused = client.executeAsync("migrate-pause", null, OOB);
        JsonNode request = peer.nextRequest();

        assertThat(request.path("exec-oob").asText()).isEqualTo("migrate-pause");
        assertThat(request.has("execute")).isFalse();
        assertThat(request.has("id")).isTrue();
        assertThat(Await.value(paused).isObject()).isTrue();
    }

    @Test
    void oobCommandWithoutNegotiationFailsFastAndIsNotSent() {
        QmpClient client = connect();
        assertThat(negotiation.has("arguments")).isFalse();

        CompletableFuture<JsonNode> refused = client.executeAsync("migrate-pause", null, OOB);

        assertThat(refused).isCompletedExceptionally();
        assertThat(Await.failure(refused)).isInstanceOf(Qmp4jException.class).hasMessageContaining("out-of-band");
        assertThatNextRequestIsAnInBandProbe(client);
    }

    @Test
    void oobIsNotNegotiatedWhenTheServerDoesNotOfferIt() {
        restartPeer(FakeQmpPeer.builder().greeting(
                "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 2}, \"package\": \"\"},"
                        + " \"capabilities\": []}}"));
        QmpClient client = connect(b -> b.enableOob(true));

        assertThat(negotiation.has("arguments")).isFalse();
        assertThat(client.negotiatedCapabilities()).isEmpty();
        assertThat(client.executeAsync("migrate-pause", null, OOB)).isCompletedExceptionally();
        assertThatNextRequestIsAnInBandProbe(client);
    }

    /** The refused command never reached the peer: the next request it sees is a later one. */
    private void assertThatNextRequestIsAnInBandProbe(QmpClient client) {
        peer.on("query-status", req -> List.of(reply(req, Map.of("running", true, "status", "running"))));
        assertThat(client.queryStatus().running()).isTrue();
        assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("query-status");
    }
}
