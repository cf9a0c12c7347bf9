package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * Replies that parse as JSON but are not what the agent protocol says (a hostile or broken guest):
 * each gives a clear {@link ProtocolException} naming the command, never a NullPointerException,
 * a silent 0, or a broken connection.
 */
class MalformedAgentRepliesTest {
    private FakeQmpPeer peer;

    @AfterEach
    void close() {
        if (peer != null) {
            peer.close();
        }
    }

    private GuestAgentClient agentAnswering(String command, String returnJson) {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", PeerAction::agentSync);
        peer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
        peer.on(command, req -> {
            try {
                return List.of(PeerAction.reply(req, QmpMessages.MAPPER.readTree(returnJson)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(peer.socket()))
                .syncTimeout(Duration.ofSeconds(2)).thawGuardian(false).build());
    }

    @Test
    void nullEntriesAndWrongTypesInGuestInfoAreProtocolErrors() {
        for (String reply : List.of("{\"version\":\"1\",\"supported_commands\":[null]}",
                "{\"version\":\"1\",\"supported_commands\":\"all of them\"}", "[1,2,3]")) {
            try (GuestAgentClient ga = agentAnswering("guest-info", reply)) {
                assertThatThrownBy(ga::info).as(reply).isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("guest-info");
                ga.ping(); // the connection is fine
            }
            peer.close();
        }
    }

    @Test
    void aCommandWithoutANameIsNeitherSupportedNorACrash() {
        try (GuestAgentClient ga = agentAnswering("guest-info",
                "{\"version\":\"1\",\"supported_commands\":[{\"enabled\":true},{\"name\":\"guest-ping\",\"enabled\":true}]}")) {
            AgentInfo info = ga.info();
            assertThat(info.supports("guest-ping")).isTrue();
            assertThat(info.unavailable(List.of("guest-fsfreeze-freeze")))
                    .containsExactly("guest-fsfreeze-freeze is unknown to this guest's agent");
        }
    }

    @Test
    void aThawCountThatIsNotANumberIsAProtocolError() {
        try (GuestAgentClient ga = agentAnswering("guest-fsfreeze-thaw", "\"many\"")) {
            assertThatThrownBy(ga::fsfreezeThaw).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("guest-fsfreeze-thaw").hasMessageContaining("many");
        }
    }

    @Test
    void aFreezeStatusThatIsNotAStringIsAProtocolError() {
        try (GuestAgentClient ga = agentAnswering("guest-fsfreeze-status", "{\"frozen\":true}")) {
            assertThatThrownBy(ga::fsfreezeStatus).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("guest-fsfreeze-status");
        }
    }

    @Test
    void aHugeExitCodeIsAProtocolError() {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", PeerAction::agentSync);
        peer.on("guest-exec", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode().put("pid", 7))));
        peer.on("guest-exec-status", req -> List.of(PeerAction.line("{\"return\":{\"exited\":true,\"exitcode\":"
                + "99999999999999999999999},\"id\":" + req.path("id") + "}")));
        try (GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(peer.socket()))
                .thawGuardian(false).build())) {
            assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true"))).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("exitcode");
        }
    }
}
