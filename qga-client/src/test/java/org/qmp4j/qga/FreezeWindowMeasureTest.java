package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;

/**
 * {@link FreezeHandle#frozenFor()} measures from sending the freeze to the confirmed thaw: the
 * status pre-check that {@code freeze()} makes first is not frozen time, however long it takes.
 */
class FreezeWindowMeasureTest {
    private static final Duration SLOW_PRECHECK = Duration.ofMillis(1500);

    @Test
    void theStatusPreCheckBeforeTheFreezeIsNotCountedAsFrozen() {
        AtomicInteger statusCalls = new AtomicInteger();
        try (FakeQmpPeer peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start()) {
            peer.on("guest-sync-delimited", PeerAction::agentSync);
            // The first status is the pre-check: slow. The one after the thaw confirms at once.
            peer.on("guest-fsfreeze-status", req -> statusCalls.incrementAndGet() == 1
                    ? List.of(PeerAction.pause(SLOW_PRECHECK), PeerAction.reply(req, "thawed"))
                    : List.of(PeerAction.reply(req, "thawed")));
            peer.on("guest-fsfreeze-freeze", req -> List.of(PeerAction.reply(req, 2)));
            peer.on("guest-fsfreeze-thaw", req -> List.of(PeerAction.reply(req, 2)));

            try (GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.unix(peer.socket()))) {
                Instant before = Instant.now();
                long start = System.nanoTime();
                FreezeHandle handle = ga.freeze(FreezeOptions.defaults());
                handle.close();
                Duration call = Duration.ofNanos(System.nanoTime() - start);

                assertThat(statusCalls).hasValue(2);
                assertThat(handle.isThawed()).isTrue();
                assertThat(call).isGreaterThanOrEqualTo(SLOW_PRECHECK);
                // Freeze, thaw and status answer at once: well under the pre-check's pause, even on a busy host.
                assertThat(handle.frozenFor()).isPositive().isLessThan(SLOW_PRECHECK.dividedBy(2));
                assertThat(handle.frozenAt()).isAfterOrEqualTo(before.plus(SLOW_PRECHECK.minusMillis(50)));
            }
        }
    }
}
