package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.QmpClient;

/**
 * Merge against a real, stopped q35 QEMU (block jobs run while the guest CPUs are stopped), with
 * data written into the overlays beforehand by {@code qemu-io}; the base image is checked from
 * the host once QEMU has exited.
 */
class MergeIT {
    private static final int BASE_DATA = 0x11;
    private static final int MID_DATA = 0x22;
    private static final int TOP_DATA = 0x33;

    @TempDir
    Path dir;

    @Test
    void mergesTheTopOfADriveChainIntoTheImageBelow() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 64);
        Path mid = Images.overlay(base, dir.resolve("mid.qcow2"));
        Path top = Images.overlay(mid, dir.resolve("top.qcow2"));
        Images.write(base, BASE_DATA, 0, 1);
        Images.write(mid, MID_DATA, 1, 1);
        Images.write(top, TOP_DATA, 2, 1);
        List<MergeProgress> progress = Collections.synchronizedList(new ArrayList<>());
        MergeResult result;
        try (Vm vm = Vm.stoppedQ35("-drive", "if=none,id=d9,file=" + top + ",format=qcow2",
                "-device", "virtio-blk-pci,drive=d9,id=vd9")) {
            List<ChainLayer> before = BlockDiscoveryIT.chain(vm.snapshots().chains(), "d9");
            assertThat(before).extracting(ChainLayer::image).containsExactly(top, mid, base);

            result = vm.snapshots().merge(MergeRequest.builder("d9").progress(progress::add).build());

            assertThat(result.removedNode()).isEqualTo(before.get(0).node());
            assertThat(result.removedOverlay()).isEqualTo(top);
            assertThat(result.overlayDeleted()).isFalse();
            assertThat(result.took()).isPositive();
            assertThat(result.disk().device()).isEqualTo("d9");
            assertThat(result.disk().node()).isEqualTo(before.get(1).node());
            assertThat(result.disk().image()).isEqualTo(mid);
            assertThat(result.disk().backingDepth()).isEqualTo(1);
            assertThat(BlockDiscoveryIT.chain(vm.snapshots().chains(), "d9"))
                    .containsExactly(before.get(1), before.get(2));
            // QEMU dropped the implicit overlay nodes with the overlay: nothing holds the file
            assertThat(filesOpen(vm.qmp)).doesNotContain(top.toString()).contains(mid.toString());
            assertThat(vm.qmp.execute("query-jobs")).isEmpty();
        }
        assertThat(top).exists();
        assertThat(Images.holds(mid, TOP_DATA, 2, 1)).as("top's data in mid").isTrue();
        assertThat(Images.holds(mid, MID_DATA, 1, 1)).isTrue();
        assertThat(Images.holds(base, TOP_DATA, 2, 1)).as("base untouched").isFalse();
        assertThat(Images.holds(mid, BASE_DATA, 0, 1)).isTrue();

        String job = progress.get(0).jobId();
        assertThat(job).matches("q4j-commit-[0-9a-f]{8}");
        assertThat(progress).allSatisfy(p -> assertThat(p.jobId()).isEqualTo(job));
        assertThat(progress).extracting(MergeProgress::status).contains("ready", "concluded");
        MergeProgress last = progress.stream().filter(p -> p.status().equals("concluded")).findFirst().orElseThrow();
        assertThat(last.total()).isGreaterThanOrEqualTo(1 << 20);
    }

    @Test
    void mergesABlockdevDiskRemovesItsNodesAndDeletesTheOverlayWhenAsked() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 64);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Images.write(overlay, TOP_DATA, 3, 2);
        MergeResult result;
        try (Vm vm = Vm.stoppedQ35(blockdevChain(base, overlay))) {
            result = vm.snapshots().merge(MergeRequest.builder("vd0").deleteOverlay(true).build());

            assertThat(result.removedNode()).isEqualTo("o");
            assertThat(result.overlayDeleted()).isTrue();
            assertThat(result.disk().node()).isEqualTo("b");
            assertThat(result.disk().backingDepth()).isZero();
            assertThat(BlockDiscoveryIT.chain(vm.snapshots().chains(), "vd0"))
                    .containsExactly(new ChainLayer("b", base, "qcow2"));
            assertThat(ManualOverlay.exists(vm.qmp, "o")).isFalse();
            assertThat(ManualOverlay.exists(vm.qmp, "o-f")).as("the overlay's own file node").isFalse();
            assertThat(ManualOverlay.exists(vm.qmp, "b-f")).isTrue();
        }
        assertThat(overlay).doesNotExist();
        assertThat(Images.holds(base, TOP_DATA, 3, 2)).isTrue();
        assertThat(Images.backingFile(base)).isNull();
    }

    @Test
    void refusesADiskWithoutBackingImageAndChangesNothing() {
        Path solo = Images.qcow2(dir.resolve("solo.qcow2"), 16);
        try (Vm vm = Vm.stoppedQ35(
                "-blockdev", "driver=file,filename=" + solo + ",node-name=s-f",
                "-blockdev", "driver=qcow2,file=s-f,node-name=s",
                "-device", "virtio-blk-pci,drive=s,id=vd0")) {
            JsonNode before = blockState(vm.qmp);
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("vd0").build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageContaining("nothing changed")
                    .hasMessageContaining("vd0 has no backing image");
            assertThat(blockState(vm.qmp)).isEqualTo(before);
        }
        assertThat(solo).exists();
    }

    @Test
    void refusesAnEmptyDriveAndAReadOnlyDisk() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 16);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        try (Vm vm = Vm.stoppedQ35("-device", "ide-cd,id=cd0,bus=ide.0",
                "-drive", "if=none,id=ro0,file=" + overlay + ",format=qcow2,readonly=on",
                "-device", "virtio-blk-pci,drive=ro0,id=vdro")) {
            JsonNode before = blockState(vm.qmp);
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("cd0").build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessage("merge refused, nothing changed: disk cd0 has no medium: nothing to merge");
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("ro0").build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessage("merge refused, nothing changed: disk ro0 is read-only");
            assertThat(blockState(vm.qmp)).isEqualTo(before);
        }
    }

    @Test
    void refusesAnUnknownDiskAndListsTheDisks() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 16);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        try (Vm vm = Vm.stoppedQ35(blockdevChain(base, overlay))) {
            JsonNode before = blockState(vm.qmp);
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("vd7").build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageContaining("no disk named 'vd7'")
                    .hasMessageContaining("vd0 (node o, " + overlay + ")");
            assertThat(blockState(vm.qmp)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "block graph: {0}")
    @ValueSource(booleans = {true, false})
    void refusesWhileAnotherJobRunsOnTheDisk(boolean graph) {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 16);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        List<String> args = new ArrayList<>(List.of(blockdevChain(base, overlay)));
        args.addAll(List.of("-compat", "unstable-input=" + (graph ? "accept" : "reject")));
        try (Vm vm = Vm.stoppedQ35(args.toArray(String[]::new))) {
            vm.qmp.executeAndAwaitEvent("block-commit", Map.of("job-id", "theirs", "device", "o", "auto-dismiss", false),
                    EventFilter.named("JOB_STATUS_CHANGE", "id", "theirs").and(EventFilter.dataEquals("status", "ready")),
                    Duration.ofSeconds(30));
            JsonNode before = blockState(vm.qmp);

            // with the graph we see the job on the disk; without it QEMU's own check refuses
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("vd0").build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageContaining("nothing changed")
                    .hasMessageContaining(graph ? "a block job already runs on disk vd0: theirs" : "QEMU refused block-commit");
            assertThat(blockState(vm.qmp)).isEqualTo(before);
            assertThat(vm.qmp.execute("query-jobs")).extracting(j -> j.path("id").asText()).containsExactly("theirs");
        }
        assertThat(overlay).exists();
    }

    @Test
    void timeoutCancelsTheJobKeepsEveryFileAndALaterMergeStillWorks() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 512);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Images.write(overlay, TOP_DATA, 0, 300); // a commit of 300 MiB takes far longer than 1 ms
        List<MergeProgress> progress = Collections.synchronizedList(new ArrayList<>());
        try (Vm vm = Vm.stoppedQ35(blockdevChain(base, overlay))) {
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("vd0").timeout(Duration.ofMillis(1))
                    .progress(progress::add).build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageContaining("merge of disk vd0 failed: timed out after PT0.001S")
                    .hasMessageMatching("(?s).*job q4j-commit-[0-9a-f]{8} cancelled \\(Operation canceled\\) and dismissed.*")
                    .hasMessageContaining("the disk still writes to o (" + overlay + "), every file kept");

            assertThat(vm.qmp.execute("query-jobs")).isEmpty();
            assertThat(progress).extracting(MergeProgress::status).contains("concluded").doesNotContain("ready");
            List<BlockDisk> disks = vm.snapshots().disks();
            assertThat(disks.get(0).node()).isEqualTo("o");
            assertThat(BlockDiscoveryIT.chain(vm.snapshots().chains(), "vd0")).extracting(ChainLayer::node)
                    .containsExactly("o", "b");
            assertThat(overlay).exists();
            assertThat(base).exists();

            // nothing was left in the way: the same merge now succeeds
            MergeResult result = vm.snapshots().merge(MergeRequest.builder("vd0").timeout(Duration.ofMinutes(5)).build());
            assertThat(result.disk().node()).isEqualTo("b");
        }
        assertThat(Images.holds(base, TOP_DATA, 0, 300)).isTrue();
    }

    @Test
    void aCommitJobThatFailsIsReportedDismissedAndEverythingKept() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 64);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Images.write(overlay, TOP_DATA, 0, 4);
        // blkdebug under the base fails every data write: the commit job itself fails with EIO
        String failingBase = "{\"driver\":\"qcow2\",\"node-name\":\"b\",\"file\":{\"driver\":\"blkdebug\","
                + "\"node-name\":\"b-dbg\",\"inject-error\":[{\"event\":\"write_aio\",\"errno\":5}],"
                + "\"image\":{\"driver\":\"file\",\"filename\":\"" + base + "\",\"node-name\":\"b-f\"}}}";
        List<MergeProgress> progress = Collections.synchronizedList(new ArrayList<>());
        try (Vm vm = Vm.stoppedQ35("-blockdev", failingBase,
                "-blockdev", "driver=file,filename=" + overlay + ",node-name=o-f",
                "-blockdev", "driver=qcow2,file=o-f,node-name=o,backing=b",
                "-device", "virtio-blk-pci,drive=o,id=vd0")) {
            assertThatThrownBy(() -> vm.snapshots().merge(MergeRequest.builder("vd0").progress(progress::add).build()))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageContaining("merge of disk vd0 failed: the commit job failed: Input/output error; dismissed")
                    .hasMessageContaining("the disk still writes to o (" + overlay + "), every file kept");

            assertThat(vm.qmp.execute("query-jobs")).isEmpty();
            assertThat(progress).extracting(MergeProgress::status).contains("aborting", "concluded").doesNotContain("ready");
            assertThat(vm.snapshots().disks().get(0).node()).isEqualTo("o");
            assertThat(ManualOverlay.exists(vm.qmp, "o")).isTrue();
            assertThat(ManualOverlay.exists(vm.qmp, "o-f")).isTrue();
        }
        assertThat(overlay).exists();
        assertThat(Images.holds(overlay, TOP_DATA, 0, 4)).isTrue();
    }

    @Test
    void losingQemuDuringTheMergeSaysTheJobMayStillRun() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 512);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Images.write(overlay, TOP_DATA, 0, 300);
        try (Vm vm = Vm.stoppedQ35(blockdevChain(base, overlay))) {
            // the first progress report comes while the 300 MiB are being copied
            MergeRequest request = MergeRequest.builder("vd0").progress(p -> vm.qemu.kill()).build();
            assertThatThrownBy(() -> vm.snapshots().merge(request))
                    .isInstanceOf(MergeFailedException.class)
                    .hasMessageMatching("lost the QMP connection during the merge of disk vd0: job q4j-commit-[0-9a-f]{8}"
                            + " may still run; every file kept \\(overlay " + overlay + "\\)")
                    .hasCauseInstanceOf(ConnectionClosedException.class);
        }
        assertThat(overlay).exists();
        assertThat(base).exists();
    }

    /** {@code -blockdev} chain: base node {@code b} on {@code b-f}, overlay {@code o} on {@code o-f}, device vd0. */
    static String[] blockdevChain(Path base, Path overlay) {
        return new String[] {
            "-blockdev", "driver=file,filename=" + base + ",node-name=b-f",
            "-blockdev", "driver=qcow2,file=b-f,node-name=b",
            "-blockdev", "driver=file,filename=" + overlay + ",node-name=o-f",
            "-blockdev", "driver=qcow2,file=o-f,node-name=o,backing=b",
            "-device", "virtio-blk-pci,drive=o,id=vd0"};
    }

    /** What a refused merge must not change: devices, nodes and jobs. */
    static JsonNode blockState(QmpClient qmp) {
        return JsonNodeFactory.instance.arrayNode()
                .add(qmp.execute("query-block"))
                .add(qmp.execute("query-named-block-nodes", Map.of("flat", true)))
                .add(qmp.execute("query-jobs"));
    }

    /** The files that some node has open. */
    static List<String> filesOpen(QmpClient qmp) {
        List<String> files = new ArrayList<>();
        qmp.execute("query-named-block-nodes", Map.of("flat", true))
                .forEach(n -> files.add(n.path("image").path("filename").asText()));
        return files;
    }
}
