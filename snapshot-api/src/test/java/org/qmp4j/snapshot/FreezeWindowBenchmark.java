package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.activeNodes;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.internal.PreparedOverlays.Switch;
import org.qmp4j.snapshot.internal.PreparedOverlays;
import org.qmp4j.testkit.PlainJsonLinesClient;
import org.qmp4j.testkit.TestGuest;

/**
 * Benchmark of the freeze window: how long the guest stays frozen, host side, from sending
 * {@code guest-fsfreeze-freeze} to the reply of the {@code guest-fsfreeze-status} that confirms the
 * thaw, with one {@code transaction} of two {@code blockdev-snapshot} actions in between. qmp4j
 * is compared with {@link PlainJsonLinesClient}, the least a client can be, on the same guest in
 * the same run, in interleaved rounds: plain, qmp4j ({@link GuestAgentClient#freeze} +
 * {@link QmpClient#execute} + {@link FreezeHandle#close()}), and the whole {@link LiveSnapshots#take}.
 * The order rotates from round to round (plain-qmp4j-flow, qmp4j-flow-plain, flow-plain-qmp4j):
 * with a fixed order, whichever side ran second measured a few milliseconds slower.
 *
 * <p>Not a regular test: failsafe's default includes do not match the name. Run it with
 * {@code scripts/bench-freeze.sh [rounds]}. It asserts correctness only (every switch happened,
 * the guest is thawed after every round), never timing; the figures are printed and written to
 * {@code target/freeze-window-benchmark.md}.
 *
 * <p>Sockets: QMP serves one client per monitor, so the guest gets a second QMP monitor for the
 * plain client; both QMP clients stay connected all along. The agent listens on one channel only,
 * so each round connects its own agent client (plain or qmp4j) and closes it afterwards, outside
 * the timed part. Overlays are created before each round's timed part with the library's own
 * overlay builder. Every snapshot adds a layer (three per round: 63 per disk for 20 rounds and
 * the warm-up); the files stay in the guest's temp directory and go with it. Node names stay at
 * most 14 characters.
 *
 * <p>Afterwards, for scale, single round trips of each client ({@link RoundTripReference}).
 * System properties: {@code qmp4j.bench.rounds} (default 20), {@code qmp4j.bench.warmup}
 * (untimed rounds first, default 1).
 */
class FreezeWindowBenchmark {
    static final int ROUNDS = Integer.getInteger("qmp4j.bench.rounds", 20);
    static final int WARMUP = Integer.getInteger("qmp4j.bench.warmup", 1);
    static final double TARGET = 1.05;
    static final int DISKS = 2;

    static final String PLAIN_WINDOW = "plain: window (freeze sent -> thaw confirmed)";
    static final String PLAIN_CALL = "plain: pre-check + window";
    static final String PLAIN_PRECHECK = "plain: part: pre-check (outside the window)";
    static final String PLAIN_FREEZE = "plain: part: pre-check + freeze";
    static final String PLAIN_TRANSACTION = "plain: part: transaction";
    static final String PLAIN_THAW = "plain: part: thaw + status";
    static final String QMP4J_WINDOW = "qmp4j: FreezeHandle.frozenFor()";
    static final String QMP4J_CALL = "qmp4j: stopwatch freeze() -> close() returned";
    static final String QMP4J_FREEZE = "qmp4j: part: freeze() (pre-check + freeze)";
    static final String QMP4J_TRANSACTION = "qmp4j: part: transaction";
    static final String QMP4J_THAW = "qmp4j: part: close() (thaw + status)";
    static final String FLOW_WINDOW = "SnapshotFlow: SnapshotResult.freezeWindow()";
    static final String FLOW_TAKE = "SnapshotFlow: whole take() (not a window)";
    /** The report's row order. */
    static final List<String> COLUMNS = List.of(PLAIN_WINDOW, PLAIN_CALL, PLAIN_PRECHECK, PLAIN_FREEZE,
            PLAIN_TRANSACTION, PLAIN_THAW, QMP4J_WINDOW, QMP4J_CALL, QMP4J_FREEZE, QMP4J_TRANSACTION, QMP4J_THAW,
            FLOW_WINDOW, FLOW_TAKE);

    @TempDir
    Path work;

    @Test
    void freezeWindowOfQmp4jAgainstAPlainSocketClient() throws Exception {
        assertThat(ROUNDS).as("qmp4j.bench.rounds").isPositive();
        Path plainMonitor = work.resolve("plain-qmp.sock");
        BenchSamples samples = BenchSamples.create();
        try (ClientResources resources = ClientResources.create();
             TestGuest guest = TestGuest.builder().disks(DISKS).workload(true).extraArgs(
                     "-chardev", "socket,id=benchmon,path=" + plainMonitor + ",server=on,wait=off",
                     "-mon", "chardev=benchmon,mode=control").start();
             QmpClient qmp = QmpClient.connect(QmpOptions.builder(Endpoint.unix(guest.qmpSocket()))
                     .resources(resources).build());
             PlainJsonLinesClient plainQmp = PlainJsonLinesClient.qmp(plainMonitor)) {
            GuestAgentOptions agent = GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket()))
                    .qmp(qmp).resources(resources).build();
            awaitWorkload(agent);
            Rounds rounds = new Rounds(guest, qmp, plainQmp, agent);
            List<BiConsumer<Integer, BenchSamples>> kinds = List.of(rounds::plain, rounds::qmp4j, rounds::flow);
            for (int r = -WARMUP, seq = 0; r < ROUNDS; r++, seq++) {
                BenchSamples into = r < 0 ? BenchSamples.discarding() : samples;
                // Rotate who goes first: a fixed order measured a few ms against whoever came second.
                for (int k = 0; k < kinds.size(); k++) {
                    kinds.get((seq + k) % kinds.size()).accept(seq, into);
                }
            }
            RoundTripReference.measure(guest, qmp, plainQmp, agent, samples);
            String report = BenchReport.render(samples, qmp.greeting().version().toString(), WARMUP);
            System.out.println(report);
            Path out = Path.of("target", "freeze-window-benchmark.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        }
    }

    /** One round of each kind; each asserts that its switch happened and the guest is thawed. */
    private record Rounds(TestGuest guest, QmpClient qmp, PlainJsonLinesClient plainQmp, GuestAgentOptions agent) {

        void plain(int seq, BenchSamples into) {
            List<Switch> switches = PreparedOverlays.create(qmp, guest.dir(), "bp" + seq);
            JsonNode transaction = PlainJsonLinesClient.args(PreparedOverlays.transaction(switches));
            try (PlainJsonLinesClient ga = PlainJsonLinesClient.agent(guest.agentSocket())) {
                plainQmp.discardPending(); // the overlays' job events: qmp4j's client took them as they came
                long t0 = System.nanoTime();
                // The same check qmp4j's freeze() makes; outside the window, so both guests see the same.
                String before = ga.command("guest-fsfreeze-status", null).asText();
                long t1 = System.nanoTime(); // window starts: the freeze is sent next
                int frozen = ga.command("guest-fsfreeze-freeze", null).asInt();
                long t2 = System.nanoTime();
                try {
                    plainQmp.command("transaction", transaction);
                } catch (RuntimeException e) {
                    ga.command("guest-fsfreeze-thaw", null);
                    throw e;
                }
                long t3 = System.nanoTime();
                ga.command("guest-fsfreeze-thaw", null);
                String after = ga.command("guest-fsfreeze-status", null).asText();
                long t4 = System.nanoTime(); // window ends: the thaw is confirmed

                assertThat(before).isEqualTo("thawed");
                assertThat(frozen).isEqualTo(DISKS);
                assertThat(after).isEqualTo("thawed");
                into.add(PLAIN_WINDOW, t4 - t1);
                into.add(PLAIN_CALL, t4 - t0);
                into.add(PLAIN_PRECHECK, t1 - t0);
                into.add(PLAIN_FREEZE, t2 - t0);
                into.add(PLAIN_TRANSACTION, t3 - t2);
                into.add(PLAIN_THAW, t4 - t3);
            }
            assertSwitched(switches.stream().map(Switch::overlayNode).toList());
        }

        void qmp4j(int seq, BenchSamples into) {
            List<Switch> switches = PreparedOverlays.create(qmp, guest.dir(), "bl" + seq);
            Map<String, Object> transaction = PreparedOverlays.transaction(switches);
            try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
                long t0 = System.nanoTime();
                FreezeHandle freeze = ga.freeze(FreezeOptions.defaults());
                long t1 = System.nanoTime();
                long t2;
                try {
                    qmp.execute("transaction", transaction);
                } finally {
                    t2 = System.nanoTime();
                    freeze.close(); // thaws and confirms with guest-fsfreeze-status
                }
                long t3 = System.nanoTime();

                assertThat(freeze.frozenFilesystems()).isEqualTo(DISKS);
                assertThat(freeze.isThawed()).isTrue();
                assertThat(freeze.thawedByWatchdog()).isFalse();
                assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
                into.add(QMP4J_WINDOW, freeze.frozenFor().toNanos());
                into.add(QMP4J_CALL, t3 - t0);
                into.add(QMP4J_FREEZE, t1 - t0);
                into.add(QMP4J_TRANSACTION, t2 - t1);
                into.add(QMP4J_THAW, t3 - t2);
            }
            assertSwitched(switches.stream().map(Switch::overlayNode).toList());
        }

        void flow(int seq, BenchSamples into) {
            try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
                long t0 = System.nanoTime();
                SnapshotResult result = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("bs" + seq)
                        .quiesce(QuiescePolicy.REQUIRED).build());
                long t1 = System.nanoTime();

                assertThat(result.quiesced()).isTrue();
                assertThat(result.frozenFilesystems()).isEqualTo(DISKS);
                assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
                into.add(FLOW_WINDOW, result.freezeWindow().toNanos());
                into.add(FLOW_TAKE, t1 - t0);
                assertSwitched(result.disks().stream().map(DiskSnapshot::overlayNode).toList());
            }
        }

        private void assertSwitched(List<String> overlayNodes) {
            assertThat(overlayNodes).hasSize(DISKS).allSatisfy(n -> assertThat(n.length()).isLessThanOrEqualTo(31));
            assertThat(activeNodes(qmp)).containsExactlyElementsOf(overlayNodes);
        }
    }

    /** The workload must be writing before the first round, so that every freeze has work to do. */
    private static void awaitWorkload(GuestAgentOptions agent) throws InterruptedException {
        try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (workloadCounter(ga, "/mnt/vda") < 5 || workloadCounter(ga, "/mnt/vdb") < 5) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the guest's write workload did not start");
                }
                Thread.sleep(200);
            }
        }
    }
}
