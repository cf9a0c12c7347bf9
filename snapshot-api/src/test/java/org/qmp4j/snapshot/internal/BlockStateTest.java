package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.transport.Json;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;

/**
 * Disks and chains derived from real QEMU 7.2 output (recorded, paths shortened to /images):
 * "mixed" = a {@code -drive} qcow2 overlay on base.qcow2 (d9, implicit nodes), a read-only
 * {@code -blockdev} disk b0 opening the same base.qcow2, an empty CD-ROM, a raw {@code -drive}
 * (d10); "commit-ready" = {@code -blockdev} overlay o on base.qcow2 with an active commit job j1
 * in the ready state (a mirror_top filter on top of o).
 */
class BlockStateTest {

    private static JsonNode fixture(String name) {
        String path = "qemu-7.2/" + name + ".json";
        try (InputStream in = BlockStateTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BlockState state(String name, boolean graph) {
        return BlockState.of(fixture(name + "-block"), fixture(name + "-nodes"), graph ? fixture(name + "-graph") : null);
    }

    private static DiskChain chain(BlockState state, String disk) {
        return state.chains().stream().filter(c -> c.disk().matches(disk)).findFirst().orElseThrow();
    }

    @Test
    void disksOfEveryKind() {
        List<BlockDisk> disks = state("mixed", false).disks();
        assertThat(disks).extracting(BlockDisk::device, BlockDisk::qdev, BlockDisk::node, BlockDisk::image,
                        BlockDisk::format, BlockDisk::readOnly, BlockDisk::removable, BlockDisk::backingDepth)
                .containsExactly(
                        tuple("d9", "/machine/peripheral/vdx/virtio-backend", "#block170", Path.of("/images/ov.qcow2"),
                                "qcow2", false, false, 1),
                        tuple("d10", "/machine/peripheral-anon/device[0]/virtio-backend", "#block521",
                                Path.of("/images/raw.img"), "raw", false, false, 0),
                        tuple("", "/machine/peripheral/vd0/virtio-backend", "b0", Path.of("/images/base.qcow2"),
                                "qcow2", true, false, 0),
                        tuple("", "cd0", null, null, null, false, true, 0));
        assertThat(disks).extracting(BlockDisk::virtualSize).containsExactly(64L << 20, 1L << 20, 64L << 20, 0L);
        assertThat(disks).extracting(BlockDisk::clusterSize).containsExactly(65536L, 0L, 65536L, 0L);
        assertThat(disks).extracting(BlockDisk::displayName).containsExactly("d9", "d10", "vd0", "cd0");
    }

    @Test
    void fromQueryBlockAloneTheDisksAreTheSameAndEachChainEndsAtItsBase() {
        // what a snapshot's preflight reads: no node list, no graph
        BlockState alone = BlockState.of(fixture("mixed-block"), Json.mapper().createArrayNode(), null);
        BlockState full = state("mixed", true);
        assertThat(alone.disks()).isEqualTo(full.disks());
        List<BlockDisk> disks = alone.disks();
        assertThat(disks.subList(0, 3)).extracting(alone::bottomImage).containsExactly(
                Path.of("/images/base.qcow2"), Path.of("/images/raw.img"), Path.of("/images/base.qcow2"));
        assertThat(disks.subList(0, 3)).extracting(full::bottomImage).containsExactly(
                Path.of("/images/base.qcow2"), Path.of("/images/raw.img"), Path.of("/images/base.qcow2"));
        BlockDisk noMedium = disks.get(3);
        assertThatThrownBy(() -> alone.bottomImage(noMedium)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chainsFromTheGraphNameEveryLayer() {
        BlockState state = state("mixed", true);
        assertThat(state.hasGraph()).isTrue();
        assertThat(chain(state, "d9").layers()).containsExactly(
                new ChainLayer("#block170", Path.of("/images/ov.qcow2"), "qcow2"),
                new ChainLayer("#block329", Path.of("/images/base.qcow2"), "qcow2"));
        assertThat(chain(state, "vd0").layers()).containsExactly(
                new ChainLayer("b0", Path.of("/images/base.qcow2"), "qcow2"));
        assertThat(chain(state, "cd0").layers()).isEmpty();
    }

    @Test
    void withoutTheGraphAnAmbiguousFileGivesNoNodeRatherThanAGuess() {
        BlockState state = state("mixed", false);
        // base.qcow2 is open twice (d9's backing and b0): by file name alone there is no telling
        assertThat(chain(state, "d9").layers()).containsExactly(
                new ChainLayer("#block170", Path.of("/images/ov.qcow2"), "qcow2"),
                new ChainLayer(null, Path.of("/images/base.qcow2"), "qcow2"));
        assertThat(chain(state, "vd0").layers()).extracting(ChainLayer::node).containsExactly("b0");
        assertThat(chain(state, "d10").layers()).extracting(ChainLayer::node).containsExactly("#block521");
    }

    @Test
    void nodesOnAFile() {
        assertThat(state("mixed", false).nodesOnFile(Path.of("/images/base.qcow2")))
                .containsExactlyInAnyOrder("#block329", "#block260", "b0", "b0-file");
        assertThat(state("mixed", false).nodesOnFile(Path.of("/images/ov.qcow2")))
                .containsExactlyInAnyOrder("#block170", "#block044");
        assertThat(state("mixed", false).nodesOnFile(Path.of("/images/other.qcow2"))).isEmpty();
    }

    @Test
    void duringAnActiveCommitTheChainSkipsTheFilterAndTheJobIsSeen() {
        BlockState state = state("commit-ready", true);
        BlockDisk disk = state.disks().get(0);
        assertThat(disk.node()).isEqualTo("o");
        assertThat(state.chain(disk).layers()).extracting(ChainLayer::node).containsExactly("o", "#block160");
        assertThat(state.jobsUsing(List.of("o"))).containsExactly("j1");
        assertThat(state.jobsUsing(List.of("#block160"))).containsExactly("j1");
        assertThat(state.jobsUsing(List.of("o-f"))).isEmpty();
        assertThat(state.parents("o")).containsExactlyInAnyOrder("block-driver #block289", "block-job j1");
        assertThat(state("commit-ready", false).jobsUsing(List.of("o"))).isEqualTo(Set.of());
    }

    @Test
    void matchingAndSameDevice() {
        BlockState state = state("mixed", false);
        assertThat(state.matching("vd0")).extracting(BlockDisk::node).containsExactly("b0");
        assertThat(state.matching("b0")).extracting(BlockDisk::node).containsExactly("b0");
        assertThat(state.matching("d9")).extracting(BlockDisk::node).containsExactly("#block170");
        assertThat(state.matching("nope")).isEmpty();
        BlockDisk moved = new BlockDisk("", "/machine/peripheral/vd0/virtio-backend", "x", null, null, 0, 0, false,
                false, 0);
        assertThat(state.sameDevice(moved)).map(BlockDisk::node).contains("b0");
    }
}
