package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk snapshotted many times without a merge. qmp4j opens each overlay through an fd set, so
 * QEMU names every layer {@code json:{"backing": …}}, one nesting level deeper per layer, and
 * cuts the name at 4 KiB: from about the 45th layer on, a layer's own name no longer says which
 * file it is. The snapshot, the chain and the merge must still know.
 */
class LongChainIT {
    private static final int SNAPSHOTS = 60;

    @TempDir
    Path dir;

    @Test
    void sixtySnapshotsOfOneDiskKeepAChainOfPlainFileNames() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 64);
        try (Vm vm = Vm.stoppedQ35("-drive", "if=none,id=d0,file=" + base + ",format=qcow2",
                "-device", "virtio-blk-pci,drive=d0,id=vd0")) {
            List<Path> expected = new ArrayList<>(List.of(base));
            for (int i = 0; i < SNAPSHOTS; i++) {
                SnapshotResult result = vm.snapshots().take(SnapshotRequest.builder("s" + i)
                        .quiesce(QuiescePolicy.OFF).build());
                DiskSnapshot disk = result.disks().get(0);
                assertThat(disk.base()).as("snapshot %d's base", i).isEqualTo(expected.get(0));
                assertThat(disk.overlay().getFileName().toString()).isEqualTo("base.s" + i + ".qcow2");
                expected.add(0, disk.overlay());
            }
            assertThat(vm.qmp.execute("query-block").get(0).path("inserted").path("file").asText())
                    .as("QEMU's own name for the top layer is cut short: the case under test").startsWith("json:")
                    .endsWith("...");

            List<ChainLayer> chain = BlockDiscoveryIT.chain(vm.snapshots().chains(), "d0");
            assertThat(chain).extracting(ChainLayer::image).containsExactlyElementsOf(expected);
            assertThat(chain).allSatisfy(layer -> assertThat(layer.node()).isNotNull());

            MergeResult merged = vm.snapshots().merge(MergeRequest.builder("d0").build());
            assertThat(merged.removedOverlay()).isEqualTo(expected.get(0));
            assertThat(merged.disk().image()).isEqualTo(expected.get(1));
        }
    }
}
