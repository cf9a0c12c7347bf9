package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;

/**
 * A snapshot with memory (the libvirt external snapshot with RAM): the RAM file loads with
 * {@code -incoming} into a VM that runs, on the disk state of the snapshot.
 */
class MemorySnapshotIT {
    @TempDir
    Path work;

    @Test
    void theRamFileRestoresARunningGuestOnTheSnapshotsDisks() throws Exception {
        Path disk = TestGuest.createExt4Disk(work, "disk0", 64);
        Path memory = work.resolve("vm.mem");
        Path base;
        try (TestGuest original = TestGuest.builder().diskImages(List.of(disk)).start();
             QmpClient qmp = QmpClient.connect(original.qmpSocket());
             GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                     Endpoint.unix(original.agentSocket())).qmp(qmp).build())) {
            sh(ga, "echo before > /mnt/vda/marker; sync");
            SnapshotResult result = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("mem")
                    .memoryFile(memory).build());
            assertThat(result.memory()).contains(memory);
            assertThat(result.quiesced()).isFalse();
            assertThat(result.quiesceSkippedReason()).contains("memory");
            assertThat(Files.size(memory)).isGreaterThan(1_000_000);
            assertThat(qmp.queryStatus().running()).isTrue(); // resumed
            base = result.disks().get(0).base();
            assertThat(base).isEqualTo(disk);
            sh(ga, "echo after > /mnt/vda/marker; sync"); // goes to the overlay, not the snapshot
        }
        try (TestGuest restored = TestGuest.builder().diskImages(List.of(base))
                .extraArgs("-incoming", "exec:cat " + memory).start();
             QmpClient qmp = QmpClient.connect(restored.qmpSocket());
             GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                     Endpoint.unix(restored.agentSocket())).qmp(qmp).build())) {
            assertThat(qmp.queryStatus().status()).isEqualTo("running");
            assertThat(sh(ga, "cat /mnt/vda/marker")).isEqualTo("before\n");
        }
    }
}
