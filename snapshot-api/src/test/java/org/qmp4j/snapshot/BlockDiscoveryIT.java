package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmp4j.core.CommandException;

/**
 * Disks and chains as real QEMU reports them, for {@code -blockdev} and {@code -drive}
 * attachments, an empty CD-ROM, a raw read-only disk, hot-plugged nodes and a machine without
 * devices; with the block graph and without it ({@code -compat unstable-input=reject} refuses
 * {@code x-debug-query-block-graph}, so nodes are matched by file name).
 */
class BlockDiscoveryIT {
    private static final long MIB = 1L << 20;
    private static final long QCOW2_CLUSTER = 65536;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "block graph: {0}")
    @ValueSource(booleans = {true, false})
    void blockdevAndDriveDisksAndTheirChains(boolean graph) {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 64);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Path base2 = Images.qcow2(dir.resolve("base2.qcow2"), 32);
        Path overlay2 = Images.overlay(base2, dir.resolve("overlay2.qcow2"));
        Path raw = Images.raw(dir.resolve("raw.img"), 8);
        try (Vm vm = Vm.stoppedQ35(
                "-compat", "unstable-input=" + (graph ? "accept" : "reject"),
                "-blockdev", "driver=file,filename=" + base + ",node-name=b-f",
                "-blockdev", "driver=qcow2,file=b-f,node-name=b",
                "-blockdev", "driver=file,filename=" + overlay + ",node-name=o-f",
                "-blockdev", "driver=qcow2,file=o-f,node-name=o,backing=b",
                "-device", "virtio-blk-pci,drive=o,id=vd0",
                "-drive", "if=none,id=d9,file=" + overlay2 + ",format=qcow2",
                "-device", "virtio-blk-pci,drive=d9,id=vd9",
                "-drive", "if=none,id=d10,file=" + raw + ",format=raw,readonly=on",
                "-device", "virtio-blk-pci,drive=d10,id=vd10",
                "-device", "ide-cd,id=cd0,bus=ide.0")) {
            if (!graph) {
                // the case under test: the links must then come from matching file names
                assertThatThrownBy(() -> vm.qmp.execute("x-debug-query-block-graph"))
                        .isInstanceOf(CommandException.class);
            }
            List<BlockDisk> disks = vm.snapshots().disks();
            assertThat(disks).extracting(BlockDisk::displayName, BlockDisk::device, BlockDisk::image,
                            BlockDisk::format, BlockDisk::virtualSize, BlockDisk::clusterSize, BlockDisk::readOnly,
                            BlockDisk::removable, BlockDisk::backingDepth)
                    .containsExactlyInAnyOrder(
                            tuple("vd0", "", overlay, "qcow2", 64 * MIB, QCOW2_CLUSTER, false, false, 1),
                            tuple("d9", "d9", overlay2, "qcow2", 32 * MIB, QCOW2_CLUSTER, false, false, 1),
                            tuple("d10", "d10", raw, "raw", 8 * MIB, 0L, true, false, 0),
                            tuple("cd0", "", null, null, 0L, 0L, false, true, 0));
            BlockDisk vd0 = disk(disks, "vd0");
            assertThat(vd0.node()).isEqualTo("o");
            assertThat(vd0.qdev()).isEqualTo("/machine/peripheral/vd0/virtio-backend");
            assertThat(disk(disks, "d9").node()).startsWith("#block"); // -drive names its nodes itself
            assertThat(disk(disks, "cd0").node()).isNull();

            List<DiskChain> chains = vm.snapshots().chains();
            assertThat(chain(chains, "vd0")).containsExactly(
                    new ChainLayer("o", overlay, "qcow2"), new ChainLayer("b", base, "qcow2"));
            List<ChainLayer> d9 = chain(chains, "d9");
            assertThat(d9).extracting(ChainLayer::image, ChainLayer::format)
                    .containsExactly(tuple(overlay2, "qcow2"), tuple(base2, "qcow2"));
            assertThat(d9.get(0).node()).isEqualTo(disk(disks, "d9").node());
            assertThat(d9.get(1).node()).startsWith("#block").isNotEqualTo(d9.get(0).node());
            assertThat(chain(chains, "d10")).extracting(ChainLayer::image, ChainLayer::format)
                    .containsExactly(tuple(raw, "raw"));
            assertThat(chain(chains, "cd0")).isEmpty();
            assertThat(chains).extracting(DiskChain::disk).containsExactlyElementsOf(disks);
        }
    }

    @Test
    void hotPluggedChainBecomesADiskOnlyWithItsDevice() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 16);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        try (Vm vm = Vm.stoppedQ35("-device", "pcie-root-port,id=rp0,chassis=1")) {
            vm.qmp.execute("blockdev-add", Map.of("driver", "file", "filename", overlay.toString(), "node-name", "hp-f"));
            vm.qmp.execute("blockdev-add", Map.of("driver", "qcow2", "file", "hp-f", "node-name", "hp"));
            assertThat(vm.snapshots().disks()).isEmpty();

            vm.qmp.execute("device_add", Map.of("driver", "virtio-blk-pci", "drive", "hp", "id", "hp0", "bus", "rp0"));
            List<BlockDisk> disks = vm.snapshots().disks();
            assertThat(disks).extracting(BlockDisk::displayName, BlockDisk::node, BlockDisk::image, BlockDisk::backingDepth)
                    .containsExactly(tuple("hp0", "hp", overlay, 1));
            List<ChainLayer> layers = chain(vm.snapshots().chains(), "hp0");
            assertThat(layers).extracting(ChainLayer::image).containsExactly(overlay, base);
            assertThat(layers.get(0).node()).isEqualTo("hp");
            assertThat(layers.get(1).node()).startsWith("#block"); // opened by QEMU from the backing file name
        }
    }

    @Test
    void machineWithoutDevicesListsDriveBackendsButNotBareNodes() {
        Path base = Images.qcow2(dir.resolve("base.qcow2"), 16);
        Path overlay = Images.overlay(base, dir.resolve("overlay.qcow2"));
        Path other = Images.overlay(Images.qcow2(dir.resolve("other-base.qcow2"), 16), dir.resolve("other.qcow2"));
        try (Vm vm = Vm.start("-machine", "none", "-drive", "if=none,id=d0,file=" + overlay + ",format=qcow2")) {
            vm.qmp.execute("blockdev-add", Map.of("driver", "file", "filename", other.toString(), "node-name", "x-f"));
            vm.qmp.execute("blockdev-add", Map.of("driver", "qcow2", "file", "x-f", "node-name", "x"));

            List<BlockDisk> disks = vm.snapshots().disks();
            assertThat(disks).extracting(BlockDisk::device, BlockDisk::qdev, BlockDisk::image, BlockDisk::backingDepth)
                    .containsExactly(tuple("d0", "", overlay, 1));
            List<DiskChain> chains = vm.snapshots().chains();
            assertThat(chains).hasSize(1);
            assertThat(chains.get(0).layers()).extracting(ChainLayer::image).containsExactly(overlay, base);
            assertThat(chains.get(0).layers()).extracting(ChainLayer::node).doesNotContainNull().doesNotHaveDuplicates();
        }
    }

    static BlockDisk disk(List<BlockDisk> disks, String name) {
        return disks.stream().filter(d -> d.matches(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no disk " + name + " in " + disks));
    }

    static List<ChainLayer> chain(List<DiskChain> chains, String name) {
        return chains.stream().filter(c -> c.disk().matches(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no chain for " + name + " in " + chains)).layers();
    }
}
