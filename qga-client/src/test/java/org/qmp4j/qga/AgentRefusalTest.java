package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * The agent's refusals, classified by what they mean: unknown, disabled by the guest's allow/block
 * list, or refused because the guest is frozen, with the words QEMU 7.2 and 10 use for each.
 */
class AgentRefusalTest {
    private static final String NOT_ALLOWED = "Command guest-exec has been disabled: the command is not allowed";

    private final AtomicReference<String> state = new AtomicReference<>("thawed");
    private FakeQmpPeer peer;

    @AfterEach
    void close() {
        if (peer != null) {
            peer.close();
        }
    }

    private GuestAgentClient agentRefusingExecWith(String description) {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", PeerAction::agentSync);
        peer.on("guest-fsfreeze-status", req -> List.of(PeerAction.reply(req, state.get())));
        peer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
        peer.on("guest-exec", req -> List.of(PeerAction.error(req, "CommandNotFound", description)));
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(peer.socket()))
                .syncTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(2)).build());
    }

    /** QEMU 10 words a refusal while frozen like a blocked command: the status tells them apart. */
    @Test
    void notAllowedWhileFrozenIsAFrozenRefusal() {
        state.set("frozen");
        try (GuestAgentClient ga = agentRefusingExecWith(NOT_ALLOWED)) {
            assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true")))
                    .isInstanceOf(GuestFrozenException.class)
                    .isNotInstanceOf(AgentCommandNotSupportedException.class)
                    .hasMessageContaining("frozen");
        }
    }

    @Test
    void notAllowedWhileThawedIsDisabledByTheGuestsAgent() {
        try (GuestAgentClient ga = agentRefusingExecWith(NOT_ALLOWED)) {
            assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true")))
                    .isInstanceOf(AgentCommandDisabledException.class)
                    .isInstanceOf(AgentCommandNotSupportedException.class)
                    .hasMessageContaining("disabled in this guest's agent");
            ga.ping(); // still in step
        }
    }

    @Test
    void qemu72SaysFrozenInWords() {
        try (GuestAgentClient ga = agentRefusingExecWith(
                "Command guest-exec has been disabled: the agent is in frozen state")) {
            assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true"))).isInstanceOf(GuestFrozenException.class);
        }
    }

    @Test
    void anUnknownCommandIsNotSupportedButNotDisabled() {
        try (GuestAgentClient ga = agentRefusingExecWith("The command guest-exec has not been found")) {
            assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true")))
                    .isInstanceOf(AgentCommandNotSupportedException.class)
                    .isNotInstanceOf(AgentCommandDisabledException.class)
                    .isNotInstanceOf(GuestFrozenException.class);
        }
    }
}
