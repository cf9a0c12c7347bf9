package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.PlainJsonLinesClient;
import org.qmp4j.testkit.TestGuest;

/**
 * What one command costs each client on the same guest, as a yardstick for the freeze window
 * (which holds four commands): QMP {@code query-status} interleaved one by one (both clients stay
 * connected, each to its monitor), and agent {@code guest-ping} in blocks (one agent client at a
 * time). Harmless commands only: nothing is frozen here.
 */
final class RoundTripReference {
    static final String QMP_PLAIN = "round trip: plain QMP query-status";
    static final String QMP_QMP4J = "round trip: qmp4j QMP query-status";
    static final String AGENT_PLAIN = "round trip: plain agent guest-ping";
    static final String AGENT_QMP4J = "round trip: qmp4j agent guest-ping";

    private static final int QMP_ROUNDS = 200;
    private static final int AGENT_BLOCKS = 4;
    private static final int AGENT_PER_BLOCK = 25;

    private RoundTripReference() {
    }

    static void measure(TestGuest guest, QmpClient qmp, PlainJsonLinesClient plainQmp, GuestAgentOptions agent,
                        BenchSamples into) {
        plainQmp.discardPending();
        for (int i = 0; i < QMP_ROUNDS; i++) {
            long t0 = System.nanoTime();
            String plain = plainQmp.command("query-status", null).path("status").asText();
            long t1 = System.nanoTime();
            String ours = qmp.queryStatus().status();
            long t2 = System.nanoTime();
            assertThat(plain).isEqualTo(ours).isEqualTo("running");
            into.add(QMP_PLAIN, t1 - t0);
            into.add(QMP_QMP4J, t2 - t1);
        }
        for (int b = 0; b < AGENT_BLOCKS; b++) {
            try (PlainJsonLinesClient ga = PlainJsonLinesClient.agent(guest.agentSocket())) {
                for (int i = 0; i < AGENT_PER_BLOCK; i++) {
                    long t0 = System.nanoTime();
                    ga.command("guest-ping", null);
                    into.add(AGENT_PLAIN, System.nanoTime() - t0);
                }
            }
            try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
                for (int i = 0; i < AGENT_PER_BLOCK; i++) {
                    long t0 = System.nanoTime();
                    ga.ping();
                    into.add(AGENT_QMP4J, System.nanoTime() - t0);
                }
            }
        }
    }
}
