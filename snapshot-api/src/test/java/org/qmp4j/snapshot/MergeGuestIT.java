package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * Discovery and merge in a real running Linux guest with two ext4 data disks ({@code -blockdev}
 * nodes disk0/disk1, devices vd0/vd1, mounted at /mnt/vda and /mnt/vdb). Overlays are made by
 * hand ({@link ManualOverlay}); what the guest wrote is checked from the host in the images
 * themselves, after the guest unmounted its file systems. A fresh guest per test.
 */
class MergeGuestIT {
    private static final long MIB = 1L << 20;

    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2));

    @TempDir
    Path scratch;

    private QmpClient qmp;
    private GuestAgentClient ga;

    @BeforeEach
    void connect() {
        qmp = QmpClient.connect(vm.guest().qmpSocket());
        ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(vm.guest().agentSocket())).qmp(qmp).build());
    }

    @AfterEach
    void disconnect() {
        try {
            if (ga != null) {
                ga.close();
            }
        } finally {
            if (qmp != null) {
                qmp.close();
            }
        }
    }

    @Test
    void discoversTheGuestsBlockdevDisks() {
        List<Path> images = vm.guest().disks();
        List<BlockDisk> disks = LiveSnapshots.of(qmp).disks();
        assertThat(disks).extracting(BlockDisk::displayName, BlockDisk::device, BlockDisk::node, BlockDisk::image,
                        BlockDisk::format, BlockDisk::virtualSize, BlockDisk::clusterSize, BlockDisk::readOnly,
                        BlockDisk::removable, BlockDisk::backingDepth)
                .containsExactlyInAnyOrder(
                        tuple("vd0", "", "disk0", images.get(0), "qcow2", 64 * MIB, 65536L, false, false, 0),
                        tuple("vd1", "", "disk1", images.get(1), "qcow2", 64 * MIB, 65536L, false, false, 0));
        List<DiskChain> chains = LiveSnapshots.of(qmp).chains();
        assertThat(BlockDiscoveryIT.chain(chains, "vd0")).containsExactly(new ChainLayer("disk0", images.get(0), "qcow2"));
        assertThat(BlockDiscoveryIT.chain(chains, "vd1")).containsExactly(new ChainLayer("disk1", images.get(1), "qcow2"));
    }

    @Test
    void mergeAfterASnapshotPutsTheGuestsWritesIntoTheBase() {
        Path base0 = vm.guest().disks().get(0);
        Path base1 = vm.guest().disks().get(1);
        // A real quiesced snapshot first: the merge "deletes" it again.
        SnapshotResult snapshot = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("s1")
                .quiesce(QuiescePolicy.REQUIRED).build());
        assertThat(snapshot.quiesced()).isTrue();
        Path overlay0 = snapshot.disks().get(0).overlay();
        Path overlay1 = snapshot.disks().get(1).overlay();
        String ov0 = snapshot.disks().get(0).overlayNode();
        String ov1 = snapshot.disks().get(1).overlayNode();
        assertThat(BlockDiscoveryIT.chain(LiveSnapshots.of(qmp).chains(), "vd0")).containsExactly(
                new ChainLayer(ov0, overlay0, "qcow2"), new ChainLayer("disk0", base0, "qcow2"));

        sh("echo data0 > /mnt/vda/after && echo data1 > /mnt/vdb/after && sync");
        // the check below is meaningful: before the merge the base does not have the file
        assertThat(debugfsCat(base0, "/after")).contains("File not found");

        List<MergeProgress> progress = Collections.synchronizedList(new ArrayList<>());
        LiveSnapshots snapshots = LiveSnapshots.of(qmp);
        MergeResult kept = snapshots.merge(MergeRequest.builder("vd0").progress(progress::add).build());
        MergeResult deleted = snapshots.merge(MergeRequest.builder("vd1").deleteOverlay(true).build());

        assertThat(kept.removedNode()).isEqualTo(ov0);
        assertThat(kept.disk().node()).isEqualTo("disk0");
        assertThat(kept.overlayDeleted()).isFalse();
        assertThat(overlay0).exists();
        assertThat(deleted.removedNode()).isEqualTo(ov1);
        assertThat(deleted.overlayDeleted()).isTrue();
        assertThat(overlay1).doesNotExist();
        List<DiskChain> chains = snapshots.chains();
        assertThat(BlockDiscoveryIT.chain(chains, "vd0")).containsExactly(new ChainLayer("disk0", base0, "qcow2"));
        assertThat(BlockDiscoveryIT.chain(chains, "vd1")).containsExactly(new ChainLayer("disk1", base1, "qcow2"));
        for (String node : List.of(ov0, ov0 + "-f", ov1, ov1 + "-f")) {
            assertThat(ManualOverlay.exists(qmp, node)).as("node %s", node).isFalse();
        }
        assertThat(progress).extracting(MergeProgress::status).contains("ready", "concluded");

        // the guest runs on, reads its file from the disk (not the page cache) and writes to the base
        assertThat(qmp.queryStatus().running()).isTrue();
        assertThat(sh("echo 3 > /proc/sys/vm/drop_caches; cat /mnt/vda/after /mnt/vdb/after")).isEqualTo("data0\ndata1\n");
        sh("echo more > /mnt/vda/post-merge && sync && umount /mnt/vda /mnt/vdb");
        qmp.execute("stop");

        assertThat(debugfsCat(base0, "/after")).contains("data0");
        assertThat(debugfsCat(base0, "/post-merge")).contains("more");
        assertThat(debugfsCat(base1, "/after")).contains("data1");
        fsckClean(base0);
        fsckClean(base1);
        assertThat(Images.backingFile(base0)).isNull();
    }

    @Test
    void aFailedMergeLeavesTheGuestWritingToItsOverlay() {
        Path base = vm.guest().disks().get(0);
        Path overlay = ManualOverlay.create(qmp, "disk0", vm.guest().dir().resolve("disk0.s1.qcow2"), "ov0");
        // 40 MiB in the overlay: committing it takes far longer than the 1 ms allowed
        sh("dd if=/dev/zero of=/mnt/vda/big bs=1M count=40 2>/dev/null && sync");

        assertThatThrownBy(() -> LiveSnapshots.of(qmp).merge(MergeRequest.builder("vd0")
                .timeout(Duration.ofMillis(1)).build()))
                .isInstanceOf(MergeFailedException.class)
                .hasMessageContaining("timed out")
                .hasMessageContaining("cancelled (Operation canceled) and dismissed")
                .hasMessageContaining("every file kept");

        assertThat(qmp.execute("query-jobs")).isEmpty();
        assertThat(BlockDiscoveryIT.chain(LiveSnapshots.of(qmp).chains(), "vd0")).extracting(ChainLayer::node)
                .containsExactly("ov0", "disk0");
        assertThat(overlay).exists();
        assertThat(base).exists();
        sh("echo post > /mnt/vda/post-fail && sync && umount /mnt/vda");
        qmp.execute("stop");

        assertThat(debugfsCat(overlay, "/post-fail")).as("through the overlay").contains("post");
        fsckClean(overlay);
        // the cancelled commit may have copied part of the overlay into the base, so its bitmaps
        // need not match: -c (catastrophic mode) reads the tree without them
        assertThat(HostCommand.run(Duration.ofSeconds(60), "debugfs", "-c", "-R", "cat /post-fail", raw(base).toString()))
                .as("in the base").contains("File not found");
    }

    private String sh(String script) {
        ExecResult r = ga.exec(ExecRequest.builder("/bin/sh").args("-c", script).timeout(Duration.ofSeconds(120)).build());
        assertThat(r.exitCode()).as("exit code of %s; stderr: %s", script, r.stderrText()).isZero();
        return r.stdoutText();
    }

    /** The file system in {@code image} (read through its backing chain) as a raw file in scratch. */
    private Path raw(Path image) {
        Path raw = scratch.resolve(image.getFileName() + ".raw");
        HostCommand.run(Duration.ofSeconds(120), "qemu-img", "convert", "-U", "-O", "raw", image.toString(), raw.toString());
        return raw;
    }

    private String debugfsCat(Path image, String file) {
        return HostCommand.run(Duration.ofSeconds(60), "debugfs", "-R", "cat " + file, raw(image).toString());
    }

    private void fsckClean(Path image) {
        // exits non-zero (and HostCommand fails the test) on any error
        HostCommand.run(Duration.ofSeconds(120), "e2fsck", "-fn", raw(image).toString());
    }
}
