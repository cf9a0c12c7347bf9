package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;

/**
 * {@link FreezeHandle#thawAsync()} starts the thaw without waiting for it, and it is the one thaw:
 * a {@code close()} afterwards waits for the same thaw instead of sending another.
 */
class ThawAsyncTest {
    private static final Duration SLOW_THAW = Duration.ofMillis(400);

    @Test
    void thawAsyncReturnsAtOnceAndCloseWaitsForThatSameThaw() {
        AtomicInteger thaws = new AtomicInteger();
        try (FakeQmpPeer peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start()) {
            peer.on("guest-sync-delimited", PeerAction::agentSync);
            peer.on("guest-fsfreeze-status", req -> List.of(PeerAction.reply(req, "thawed")));
            peer.on("guest-fsfreeze-freeze", req -> List.of(PeerAction.reply(req, 1)));
            peer.on("guest-fsfreeze-thaw", req -> {
                thaws.incrementAndGet();
                return List.of(PeerAction.pause(SLOW_THAW), PeerAction.reply(req, 1));
            });

            try (GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.unix(peer.socket()))) {
                FreezeHandle handle = ga.freeze(FreezeOptions.defaults());
                long start = System.nanoTime();
                CompletableFuture<Void> thaw = handle.thawAsync();
                Duration call = Duration.ofNanos(System.nanoTime() - start);

                assertThat(call).as("did not wait for the agent").isLessThan(SLOW_THAW.dividedBy(2));
                assertThat(handle.thawAsync()).as("the same thaw").isSameAs(thaw);
                handle.close();
                assertThat(thaw).isCompleted();
                assertThat(handle.isThawed()).isTrue();
                assertThat(thaws).as("one thaw sent").hasValue(1);
                Await.value(thaw);
            }
        }
    }
}
