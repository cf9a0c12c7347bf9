package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.qmp.CapabilityNotNegotiatedException;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * The guest is not trusted: whatever its agent sends (garbage, stale replies, endless lines,
 * silence, a wrong sync token) ends in a clear error within a deadline, never a hang.
 */
class UntrustedAgentTest {
    private static final byte RESYNC = (byte) 0xFF;

    private FakeQmpPeer peer;

    @AfterEach
    void close() {
        if (peer != null) {
            peer.close();
        }
    }

    /** A fake agent that answers syncs properly, after whatever {@code before} sends. */
    private FakeQmpPeer agent(List<PeerAction> beforeSyncReply) {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", req -> {
            List<PeerAction> actions = new java.util.ArrayList<>(beforeSyncReply);
            actions.add(PeerAction.bytes(new byte[] {RESYNC}));
            actions.add(PeerAction.reply(req, req.path("arguments").path("id")));
            return actions;
        });
        peer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
        return peer;
    }

    private GuestAgentOptions.Builder options() {
        return GuestAgentOptions.builder(Endpoint.unix(peer.socket())).syncTimeout(Duration.ofMillis(800))
                .pingTimeout(Duration.ofMillis(800)).commandTimeout(Duration.ofMillis(800));
    }

    @Test
    void garbageAndStaleRepliesBeforeTheSyncReplyAreDiscarded() {
        agent(List.of(PeerAction.line("not json at all {{{"),
                PeerAction.line(QmpMessages.replyWithId(1, "stale")),
                PeerAction.line(QmpMessages.idLessError("GenericError", "JSON parse error, stray '\\uFFFD'")),
                PeerAction.bytes("{\"return\": \"half a li".getBytes(StandardCharsets.UTF_8))));
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            ga.ping();
            assertThat(ga.isPresent()).isTrue();
        }
    }

    @Test
    void silenceIsAbsenceWithinTheSyncDeadline() {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start(); // accepts, never answers
        long start = System.nanoTime();
        assertThatThrownBy(() -> GuestAgentClient.connect(options().build()))
                .isInstanceOf(GuestAgentAbsentException.class).hasMessageContaining("within 800 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWrongSyncTokenIsNotTakenForSync() {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", req -> List.of(PeerAction.bytes(new byte[] {RESYNC}),
                PeerAction.reply(req, 42)));
        assertThatThrownBy(() -> GuestAgentClient.connect(options().build()))
                .hasMessageContaining("guest-sync-delimited returned 42");
    }

    /**
     * A reply over the frame cap (here an endless one) fails the command it answers at once, with
     * a clear error; the connection stays, and the next command resynchronises past the rest.
     */
    @Test
    void anOversizedReplyFailsItsCommandNotTheConnection() {
        agent(List.of());
        peer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
        try (GuestAgentClient ga = GuestAgentClient.connect(options().maxFrameBytes(64 * 1024)
                .commandTimeout(Duration.ofSeconds(30)).build())) {
            byte[] flood = new byte[200 * 1024];
            Arrays.fill(flood, (byte) 'x');
            peer.on("guest-info", req -> List.of(PeerAction.bytes(flood)));
            long start = System.nanoTime();
            assertThatThrownBy(ga::info)
                    .isInstanceOf(FrameTooLargeException.class)
                    .hasMessageContaining("guest-info")
                    .hasMessageContaining("65536 byte cap");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(ga.state()).isEqualTo(ConnectionState.READY);

            ga.ping(); // resyncs first: the 0xFF ends the discarded line
            assertThat(peer.resyncBytesReceived()).isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * A reply within the byte cap but made of many tiny values (300,000 zeros: 600 KB that would
     * be a tree of 300,000 nodes) fails its command without being built; the connection stays.
     */
    @Test
    void aReplyOfTooManyValuesFailsItsCommandNotTheConnection() {
        agent(List.of());
        peer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            StringBuilder zeros = new StringBuilder("{\"return\":[0");
            zeros.append(",0".repeat(300_000)).append("]}\n");
            peer.on("guest-info", req -> List.of(PeerAction.bytes(zeros.toString().replace("{\"return\"",
                    "{\"id\":" + req.get("id") + ",\"return\"").getBytes(StandardCharsets.US_ASCII))));
            assertThatThrownBy(ga::info)
                    .isInstanceOf(FrameTooLargeException.class)
                    .hasMessageContaining("guest-info: the reply is over the cap of 100000 JSON values per message");
            assertThat(ga.state()).isEqualTo(ConnectionState.READY);
            ga.ping();
        }
    }

    @Test
    void theAgentsFrameCapIsTenMebibytesByDefault() {
        assertThat(GuestAgentOptions.unix(Path.of("/run/vm1/qga.sock")).maxFrameBytes()).isEqualTo(10 << 20);
        assertThat(GuestAgentOptions.unix(Path.of("/run/vm1/qga.sock")).toBuilder().build().maxFrameBytes())
                .isEqualTo(10 << 20);
    }

    @Test
    void aCommandTheAgentNeverAnswersTimesOutAndTheNextOneResyncs() {
        agent(List.of());
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            peer.on("guest-info", req -> List.of()); // swallowed
            assertThatThrownBy(ga::info).isInstanceOf(CommandTimeoutException.class);
            int syncsBefore = peer.resyncBytesReceived();
            // Now the agent wakes up and answers the old command late, right before the new one.
            peer.on("guest-ping", req -> List.of(PeerAction.line(QmpMessages.replyWithId(req.path("id").asLong() - 2,
                    "late")), PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
            ga.ping();
            assertThat(peer.resyncBytesReceived()).isGreaterThan(syncsBefore);
        }
    }

    /** A deadline given with the call wins over the client's default, and the connection stays usable. */
    @Test
    void aPerCallDeadlineEndsTheWaitForASilentCommand() {
        agent(List.of());
        try (GuestAgentClient ga = GuestAgentClient.connect(options().commandTimeout(Duration.ofSeconds(30)).build())) {
            peer.on("guest-info", req -> List.of()); // swallowed
            long start = System.nanoTime();
            assertThatThrownBy(() -> ga.execute("guest-info", null, CommandOptions.timeout(Duration.ofMillis(300))))
                    .isInstanceOfSatisfying(CommandTimeoutException.class,
                            e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            ga.ping();
        }
    }

    @Test
    void outOfBandIsRefusedBeforeAnythingIsSent() {
        agent(List.of());
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            assertThatThrownBy(() -> ga.execute("guest-ping", null, CommandOptions.defaults().withOob(true)))
                    .isInstanceOf(CapabilityNotNegotiatedException.class).hasMessageContaining("out-of-band");
            ga.ping();
            List<String> sent = new java.util.ArrayList<>();
            for (var r = peer.pollRequest(Duration.ofMillis(200)); r.isPresent(); r = peer.pollRequest(Duration.ofMillis(200))) {
                sent.add(r.get().toString());
            }
            assertThat(sent).isNotEmpty().noneMatch(r -> r.contains("exec-oob"));
        }
    }

    /** An agent that vanishes while the guest is frozen: the thaw fails loudly, it does not hang. */
    @Test
    void anAgentWhoseSocketVanishesWhileFrozenGivesThawFailedNotAHang() {
        agent(List.of());
        peer.on("guest-fsfreeze-status", req -> List.of(PeerAction.reply(req, "thawed")));
        peer.on("guest-fsfreeze-freeze", req -> List.of(PeerAction.reply(req, 2)));
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            FreezeHandle frozen = ga.freeze(FreezeOptions.defaults());
            assertThat(frozen.frozenFilesystems()).isEqualTo(2);
            peer.close(); // the VM is gone, its socket with it: no new connection can get through
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThatThrownBy(frozen::close).isInstanceOf(ThawFailedException.class)
                            .hasMessageContaining("may still be frozen"));
            assertThat(frozen.isThawed()).isFalse();
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }
}
