package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;

/**
 * A freeze that takes long (a fsfreeze hook flushing a database): the agent answers nothing while
 * it freezes. The watchdog counts from the freeze's reply, and a thaw after an unanswered freeze
 * keeps trying until the agent answers and confirms.
 */
class SlowFreezeTest {
    private final AtomicReference<String> state = new AtomicReference<>("thawed");
    private final AtomicInteger thaws = new AtomicInteger();
    private FakeQmpPeer peer;

    @AfterEach
    void close() {
        if (peer != null) {
            peer.close();
        }
    }

    /** A fake agent whose freeze takes {@code freezeTakes}; the peer answers nothing meanwhile. */
    private GuestAgentClient agentWithAFreezeThatTakes(Duration freezeTakes) {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", PeerAction::agentSync);
        peer.on("guest-fsfreeze-status", req -> List.of(PeerAction.reply(req, state.get())));
        peer.on("guest-fsfreeze-freeze", req -> {
            state.set("frozen");
            return List.of(PeerAction.pause(freezeTakes), PeerAction.reply(req, 2));
        });
        peer.on("guest-fsfreeze-thaw", req -> {
            state.set("thawed");
            thaws.incrementAndGet();
            return List.of(PeerAction.reply(req, 2));
        });
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(peer.socket()))
                .syncTimeout(Duration.ofMillis(800)).pingTimeout(Duration.ofMillis(800))
                .commandTimeout(Duration.ofMillis(800)).thawTimeout(Duration.ofMillis(800)).build());
    }

    /** Armed at the reply, the watchdog does not thaw a freeze that took longer than the maximum. */
    @Test
    void theWatchdogCountsFromTheFreezesReply() {
        try (GuestAgentClient ga = agentWithAFreezeThatTakes(Duration.ofMillis(1200))) {
            FreezeHandle frozen = ga.freeze(FreezeOptions.builder().maxDuration(Duration.ofMillis(700))
                    .freezeTimeout(Duration.ofSeconds(5)).build());
            long replied = System.nanoTime();

            assertThat(frozen.frozenFilesystems()).isEqualTo(2);
            assertThat(Await.until(frozen::isThawed, Duration.ofMillis(300))).as("thawed at once").isFalse();
            assertThat(Await.until(frozen::isThawed, Duration.ofSeconds(10))).isTrue();
            assertThat(frozen.thawedByWatchdog()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - replied)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(state.get()).isEqualTo("thawed");
        }
    }

    /**
     * The freeze gets no reply within its deadline and the agent answers nothing for seconds more:
     * every sync times out, yet the thaw keeps trying until the agent confirms, far longer than the
     * three tries (about 6 s) it had before.
     */
    @Test
    void aThawAfterAnUnansweredFreezeTriesUntilTheBusyAgentConfirms() {
        try (GuestAgentClient ga = agentWithAFreezeThatTakes(Duration.ofSeconds(8))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.builder().freezeTimeout(Duration.ofMillis(500))
                    .thawBudget(Duration.ofSeconds(60)).build()))
                    .isInstanceOf(FreezeException.class)
                    .hasMessageContaining("no reply in time")
                    .hasMessageContaining("thawed again");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(8));
            assertThat(thaws.get()).isPositive();
            assertThat(state.get()).isEqualTo("thawed");
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        }
    }

    /** When the thaw budget runs out the failure is loud, and it names the budget. */
    @Test
    void aThawBudgetThatRunsOutFailsLoudly() {
        try (GuestAgentClient ga = agentWithAFreezeThatTakes(Duration.ofSeconds(8))) {
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.builder().freezeTimeout(Duration.ofMillis(500))
                    .thawBudget(Duration.ofSeconds(2)).build()))
                    .isInstanceOf(ThawFailedException.class)
                    .hasMessageContaining("may still be frozen")
                    .hasMessageContaining("thaw budget");
        }
    }
}
