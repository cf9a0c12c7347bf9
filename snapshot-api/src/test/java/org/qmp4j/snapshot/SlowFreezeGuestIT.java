package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;
import static org.qmp4j.snapshot.SnapshotTesting.sh;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * A real guest whose fsfreeze hook sleeps 4 s before each freeze (a database flushing), longer
 * than the maximum freeze of 2 s: the agent answers nothing meanwhile. The watchdog counts from
 * the freeze's reply, so the snapshot is still quiesced and clean; a freeze deadline shorter than
 * the hook fails the snapshot, and the thaw after it keeps trying until the busy agent confirms.
 */
class SlowFreezeGuestIT {
    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    @Test
    void aHookSlowerThanTheMaximumFreezeStillGivesAQuiescedCleanSnapshot() throws Exception {
        try (QmpClient qmp = QmpClient.connect(vm.guest().qmpSocket()); GuestAgentClient ga = agent(qmp)) {
            sh(ga, "echo 4 > /run/qmp4j-freeze-delay");
            SnapshotResult result = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("slow")
                    .quiesce(QuiescePolicy.REQUIRED).maxFreeze(Duration.ofSeconds(2)).build());

            assertThat(result.quiesced()).as(result.quiesceSkippedReason()).isTrue();
            // counted from the freeze request, so it holds the hook's 4 s
            assertThat(result.freezeWindow()).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            for (DiskSnapshot disk : result.disks()) {
                Ext4Image fs = Ext4Image.check(disk.base(), vm.guest().dir());
                assertThat(fs.clean()).as("%s: %s", disk.base(), fs.fsckOutput()).isTrue();
            }
        }
    }

    @Test
    void aFreezeDeadlineShorterThanTheHookFailsAndTheGuestIsThawedOnceTheAgentAnswers() throws Exception {
        try (QmpClient qmp = QmpClient.connect(vm.guest().qmpSocket()); GuestAgentClient ga = agent(qmp)) {
            sh(ga, "echo 4 > /run/qmp4j-freeze-delay");
            long start = System.nanoTime();
            SnapshotFailedException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotFailedException.class,
                    () -> LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("late")
                            .quiesce(QuiescePolicy.REQUIRED).freezeTimeout(Duration.ofSeconds(1)).build()));

            assertThat(e.getCause()).isInstanceOf(FreezeException.class);
            assertThat(e.getMessage()).contains("no reply in time").contains("thawed again");
            assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
            // the thaw had to wait for the hook and the freeze behind it
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(3));
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            assertThat(ourNodes(qmp)).isEmpty();
        }
    }

    private GuestAgentClient agent(QmpClient qmp) {
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(vm.guest().agentSocket())).qmp(qmp)
                .syncTimeout(Duration.ofSeconds(10)).build());
    }
}
