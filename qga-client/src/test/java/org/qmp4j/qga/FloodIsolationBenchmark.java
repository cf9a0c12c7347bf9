package org.qmp4j.qga;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QemuProcess;
import org.qmp4j.testkit.QmpMessages;

/**
 * A hostile guest agent floods its connection with unsolicited messages while a QMP client of
 * another VM shares the same {@link ClientResources} (one I/O thread, so the two connections share
 * one event loop: the worst case). Prints the QMP round trip (real QEMU, {@code query-status})
 * with the agent idle and while it floods, in the same run, and whether the flooded p50 stays
 * within 2x. Not a test: run it with {@code mvn -B verify -pl qga-client -am -Dtest=FloodIsolationBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FloodIsolationBenchmark {
    private static final int ROUNDS = Integer.getInteger("qmp4j.bench.rounds", 3000);

    @Test
    void qmpLatencyWhileAnAgentOnTheSameLoopFloods() throws Exception {
        AtomicBoolean flooding = new AtomicBoolean();
        AtomicLong floodBytes = new AtomicLong();
        try (ClientResources shared = ClientResources.create(1);
             QemuProcess qemu = QemuProcess.startMachineNone();
             FakeQmpPeer agentPeer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start()) {
            agentPeer.on("guest-sync-delimited", PeerAction::agentSync);
            agentPeer.on("guest-ping", req -> List.of(PeerAction.reply(req, QmpMessages.MAPPER.createObjectNode())));
            try (QmpClient qmp = QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                         .resources(shared).build());
                 GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                         Endpoint.unix(agentPeer.socket())).resources(shared).thawGuardian(false).build())) {
                measure(qmp, ROUNDS); // warm-up
                long[] idle = measure(qmp, ROUNDS);

                byte[] line = ("{\"event\":\"FLOOD\",\"data\":{\"junk\":\"" + "x".repeat(80) + "\"}}\n")
                        .getBytes(StandardCharsets.UTF_8);
                byte[] chunk = new byte[line.length * 500];
                for (int i = 0; i < 500; i++) {
                    System.arraycopy(line, 0, chunk, i * line.length, line.length);
                }
                flooding.set(true);
                Thread flood = new Thread(() -> {
                    while (flooding.get() && agentPeer.send(chunk)) {
                        floodBytes.addAndGet(chunk.length);
                    }
                }, "agent-flood");
                flood.start();
                long floodStart = System.nanoTime();
                long[] flooded = measure(qmp, ROUNDS);
                double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
                flooding.set(false);
                flood.join(Duration.ofSeconds(10).toMillis());
                ga.ping(); // the flooded connection still works

                double ratio = (double) flooded[ROUNDS / 2] / idle[ROUNDS / 2];
                System.out.printf("QMP query-status round trip, %d each, one shared I/O thread (us):%n", ROUNDS);
                System.out.printf("  agent idle:     p50 %.1f  p99 %.1f%n", idle[ROUNDS / 2] / 1e3,
                        idle[ROUNDS * 99 / 100] / 1e3);
                System.out.printf("  agent flooding: p50 %.1f  p99 %.1f  (%.0f messages/s, %.1f MB/s)%n",
                        flooded[ROUNDS / 2] / 1e3, flooded[ROUNDS * 99 / 100] / 1e3,
                        floodBytes.get() / line.length / floodSeconds, floodBytes.get() / 1e6 / floodSeconds);
                System.out.printf("  p50 ratio %.3f: %s (target: within 2x)%n", ratio, ratio <= 2.0 ? "PASS" : "FAIL");
            }
        }
    }

    private static long[] measure(QmpClient qmp, int rounds) {
        long[] nanos = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            qmp.execute("query-status");
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }
}
