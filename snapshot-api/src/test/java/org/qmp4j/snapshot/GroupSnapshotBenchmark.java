package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.sh;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FreezeHookLog;
import org.qmp4j.testkit.TestGuest;

/**
 * Benchmark of group snapshots: for groups of 1, 2 and 4 guests (TCG, two ext4 disks each under
 * the write workload), the group's {@code allFrozenMillis} and each guest's freeze window (host
 * side, from the result; guest side, from the guest's fsfreeze hook), next to a single VM's
 * snapshot ({@link LiveSnapshots#take}) of the first guest in the same run. The kinds rotate from
 * round to round. Asserts correctness only (every VM quiesced, every guest thawed, one hook
 * freeze/thaw per snapshot); the figures are printed and written to
 * {@code target/group-snapshot-benchmark.md}. Run with {@code scripts/bench-group.sh [rounds]}.
 * System property {@code qmp4j.bench.rounds} (default 10).
 */
class GroupSnapshotBenchmark {
    static final int ROUNDS = Integer.getInteger("qmp4j.bench.rounds", 10);
    static final int[] SIZES = {1, 2, 4};

    @TempDir
    Path state;

    /** One guest under test: its connections. */
    private record Guest(TestGuest guest, QmpClient qmp, GuestAgentClient ga) implements AutoCloseable {
        @Override
        public void close() {
            try {
                ga.close();
            } finally {
                try {
                    qmp.close();
                } finally {
                    guest.close();
                }
            }
        }

        /** The guest-side span of this guest's last freeze. */
        long lastHookWindow() {
            List<Long> windows = FreezeHookLog.windows(sh(ga, "cat " + FreezeHookLog.PATH));
            assertThat(windows).isNotEmpty();
            return windows.get(windows.size() - 1);
        }
    }

    @Test
    void allFrozenSpanAndEachGuestsWindowFor1To4Guests() throws Exception {
        assertThat(ROUNDS).as("qmp4j.bench.rounds").isPositive();
        BenchSamples samples = BenchSamples.create();
        List<Guest> guests = new ArrayList<>();
        try (ClientResources resources = ClientResources.create()) {
            try {
                for (int i = 0; i < 4; i++) {
                    guests.add(connect(TestGuest.builder().disks(2).workload(true).start(), resources));
                }
                for (Guest g : guests) {
                    assertThat(Await.until(() -> workloadCounter(g.ga(), "/mnt/vda") >= 3
                            && workloadCounter(g.ga(), "/mnt/vdb") >= 3, Duration.ofSeconds(60)))
                            .as("the write workload of %s", g.guest().qmpSocket()).isTrue();
                }
                String version = guests.get(0).qmp().greeting().version().toString();
                run(guests, samples);
                String report = report(samples, version);
                System.out.println(report);
                Path out = Path.of("target", "group-snapshot-benchmark.md");
                Files.createDirectories(out.getParent());
                Files.writeString(out, report);
            } finally {
                guests.forEach(Guest::close);
            }
        }
    }

    /** Connects to a started guest; closes it again if that fails. */
    private static Guest connect(TestGuest g, ClientResources resources) {
        QmpClient qmp = null;
        try {
            qmp = QmpClient.connect(QmpOptions.builder(Endpoint.unix(g.qmpSocket())).resources(resources).build());
            return new Guest(g, qmp, GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(g.agentSocket()))
                    .qmp(qmp).resources(resources).build()));
        } catch (RuntimeException e) {
            if (qmp != null) {
                qmp.close();
            }
            g.close();
            throw e;
        }
    }

    private void run(List<Guest> guests, BenchSamples samples) {
        int kinds = SIZES.length + 1; // the single snapshot, then each group size
        for (int r = -1, seq = 0; r < ROUNDS; r++, seq++) {
            BenchSamples into = r < 0 ? BenchSamples.discarding() : samples; // one warm-up round
            for (int k = 0; k < kinds; k++) {
                int kind = (seq + k) % kinds;
                if (kind == 0) {
                    single(guests.get(0), "s" + seq, into);
                } else {
                    group(guests.subList(0, SIZES[kind - 1]), "g" + SIZES[kind - 1] + "-" + seq, into);
                }
            }
        }
    }

    private void single(Guest g, String name, BenchSamples into) {
        SnapshotResult s = LiveSnapshots.of(g.qmp(), g.ga()).withStateDirectory(state)
                .take(SnapshotRequest.builder(name).quiesce(QuiescePolicy.REQUIRED).build());
        assertThat(s.quiesced()).isTrue();
        assertThat(g.ga().fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        into.add("single VM: freeze window, host", s.freezeWindow().toNanos());
        into.add("single VM: freeze window, guest", g.lastHookWindow());
    }

    private void group(List<Guest> members, String name, BenchSamples into) {
        GroupSnapshotRequest.Builder b = GroupSnapshotRequest.builder(SnapshotRequest.builder(name)
                .quiesce(QuiescePolicy.REQUIRED).build());
        members.forEach(m -> b.vm(GroupMember.of(m.qmp(), m.ga())));
        GroupSnapshotResult result = GroupSnapshots.create().withStateDirectory(state).take(b.build());
        assertThat(result.allQuiesced()).isTrue();
        String label = members.size() + (members.size() == 1 ? " guest" : " guests");
        into.add(label + ": allFrozen", result.allFrozen().toNanos());
        for (int i = 0; i < members.size(); i++) {
            assertThat(members.get(i).ga().fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            into.add(label + ": each guest's window, host", result.vms().get(i).freezeWindow().toNanos());
            into.add(label + ": each guest's window, guest", members.get(i).lastHookWindow());
        }
    }

    private static String report(BenchSamples samples, String version) {
        StringBuilder s = new StringBuilder();
        s.append("## Group snapshots: the span in which all guests were frozen, and each guest's window\n\n");
        s.append("QEMU ").append(version).append(", ").append(ROUNDS).append(" rounds (after one warm-up), TCG guests ")
                .append("with 2 ext4 disks under the write workload; host windows from freeze sent to thaw ")
                .append("confirmed, guest windows from the guest's fsfreeze hook.\n\n");
        s.append(WindowStats.header()).append('\n');
        List<String> columns = new ArrayList<>(List.of("single VM: freeze window, host", "single VM: freeze window, guest"));
        for (int n : SIZES) {
            String label = n + (n == 1 ? " guest" : " guests");
            columns.add(label + ": allFrozen");
            columns.add(label + ": each guest's window, host");
            columns.add(label + ": each guest's window, guest");
        }
        for (String column : columns) {
            s.append(WindowStats.of(column, samples.column(column)).row()).append('\n');
        }
        return s.toString();
    }
}
