package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.GroupSnapshotResult;
import org.qmp4j.snapshot.MergeResult;
import org.qmp4j.snapshot.RevertResult;
import org.qmp4j.snapshot.SnapshotResult;

/** The text and JSON forms of the snapshot commands' results, from results made up here. */
class ResultFormatsTest {
    private static final Instant TIME = Instant.parse("2026-11-22T03:30:05.166346Z");
    private static final BlockDisk VD0 = new BlockDisk("", "/machine/peripheral/vd0/virtio-backend", "q4j-0000abcd",
            Path.of("/vm/disk0.s1.qcow2"), "qcow2", 16 << 20, 65536, false, false, 1);
    private static final DiskSnapshot D0 = new DiskSnapshot("vd0", "disk0", Path.of("/vm/disk0.qcow2"),
            Path.of("/vm/disk0.s1.qcow2"), "q4j-0000abcd");
    private static final DiskSnapshot D1 = new DiskSnapshot("vd1", "disk1", Path.of("/vm/disk1.qcow2"),
            Path.of("/vm/disk1.s1.qcow2"), "q4j-1111abcd");

    private static SnapshotResult quiesced() {
        return new SnapshotResult("s1", TIME, true, null, 2, Duration.ofNanos(41_234_567), List.of(D0, D1), null);
    }

    private static SnapshotResult unquiesced() {
        return new SnapshotResult("s1", TIME, false, "quiesce policy is OFF", 0, Duration.ZERO, List.of(D0),
                Path.of("/vm/s1.ram"));
    }

    @Test
    void snapshotText() {
        assertThat(ResultText.snapshot(quiesced())).isEqualTo("""
                name:                s1
                time:                2026-11-22T03:30:05.166346Z
                quiesced:            yes
                frozen file systems: 2
                freeze window:       41.234 ms
                disks:
                  vd0: disk0 -> q4j-0000abcd, /vm/disk0.qcow2 -> /vm/disk0.s1.qcow2
                  vd1: disk1 -> q4j-1111abcd, /vm/disk1.qcow2 -> /vm/disk1.s1.qcow2
                """);
        assertThat(ResultText.snapshot(unquiesced()))
                .contains("\nquiesced:            no (quiesce policy is OFF)\n")
                .contains("\nfreeze window:       0.000 ms\n")
                .contains("\nmemory:              /vm/s1.ram\n");
    }

    private static GroupSnapshotResult group() {
        return new GroupSnapshotResult("s1", List.of(quiesced(), unquiesced()), TIME, TIME.plusNanos(12_345_678),
                Duration.ofNanos(12_345_678));
    }

    @Test
    void groupText() {
        String text = ResultText.group(group(), List.of("unix:/run/a.sock", "unix:/run/b.sock"));
        assertThat(text).startsWith("""
                name:                s1
                all frozen:          12.345 ms (not every VM was quiesced)
                vm unix:/run/a.sock:
                  name:                s1
                """);
        assertThat(text).contains("\nvm unix:/run/b.sock:\n  name:                s1\n")
                .contains("\n  quiesced:            no (quiesce policy is OFF)\n")
                .contains("\n    vd0: disk0 -> q4j-0000abcd, /vm/disk0.qcow2 -> /vm/disk0.s1.qcow2\n");
    }

    @Test
    void groupJson() {
        JsonNode g = ResultJson.group(group(), List.of("unix:/run/a.sock", "unix:/run/b.sock"));

        assertThat(g.path("name").asText()).isEqualTo("s1");
        assertThat(g.path("allFrozenMillis").decimalValue()).isEqualByComparingTo("12.345");
        assertThat(Instant.parse(g.path("lastFrozen").asText())).isEqualTo(TIME);
        assertThat(Instant.parse(g.path("firstThawSent").asText())).isEqualTo(TIME.plusNanos(12_345_678));
        assertThat(g.path("vms")).hasSize(2);
        assertThat(g.path("vms").get(0).path("qmp").asText()).isEqualTo("unix:/run/a.sock");
        // each VM as the single snapshot's JSON, plus its qmp
        JsonNode second = g.path("vms").get(1);
        JsonNode withoutQmp = ((com.fasterxml.jackson.databind.node.ObjectNode) second.deepCopy()).without("qmp");
        assertThat(withoutQmp).isEqualTo(ResultJson.snapshot(unquiesced()));
        JsonNode none = ResultJson.group(new GroupSnapshotResult("s2", List.of(unquiesced()), null, null,
                Duration.ZERO), List.of("unix:/run/a.sock"));
        assertThat(none.get("lastFrozen").isNull()).isTrue();
        assertThat(none.path("allFrozenMillis").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void snapshotJson() {
        JsonNode q = ResultJson.snapshot(quiesced());
        JsonNode u = ResultJson.snapshot(unquiesced());

        assertThat(q.path("name").asText()).isEqualTo("s1");
        assertThat(Instant.parse(q.path("time").asText())).isEqualTo(TIME);
        assertThat(q.path("quiesced").asBoolean()).isTrue();
        assertThat(q.get("quiesceSkippedReason").isNull()).isTrue();
        assertThat(q.path("frozenFilesystems").asInt()).isEqualTo(2);
        assertThat(q.path("freezeWindowMillis").decimalValue()).isEqualByComparingTo("41.234");
        assertThat(q.get("memoryFile").isNull()).isTrue();
        assertThat(q.path("disks")).hasSize(2);
        JsonNode disk = q.path("disks").get(1);
        assertThat(disk.path("device").asText()).isEqualTo("vd1");
        assertThat(disk.path("node").asText()).isEqualTo("disk1");
        assertThat(disk.path("base").asText()).isEqualTo("/vm/disk1.qcow2");
        assertThat(disk.path("overlay").asText()).isEqualTo("/vm/disk1.s1.qcow2");
        assertThat(disk.path("overlayNode").asText()).isEqualTo("q4j-1111abcd");
        assertThat(u.path("quiesced").asBoolean()).isFalse();
        assertThat(u.path("quiesceSkippedReason").asText()).isEqualTo("quiesce policy is OFF");
        assertThat(u.path("memoryFile").asText()).isEqualTo("/vm/s1.ram");
    }

    @Test
    void chainText() {
        BlockDisk cdrom = new BlockDisk("ide1-cd0", "/machine/unattached/device[0]", null, null, null, 0, 0, true,
                true, 0);
        List<DiskChain> chains = List.of(new DiskChain(VD0, List.of(
                        new ChainLayer("q4j-0000abcd", Path.of("/vm/disk0.s1.qcow2"), "qcow2"),
                        new ChainLayer(null, Path.of("/vm/disk0.raw"), "raw"))),
                new DiskChain(cdrom, List.of()));

        assertThat(ResultText.chains(chains)).isEqualTo("""
                vd0: 2 layers, top first
                  q4j-0000abcd  qcow2  /vm/disk0.s1.qcow2
                  -             raw    /vm/disk0.raw
                ide1-cd0: 0 layers
                """);
        JsonNode json = ResultJson.chains(chains);
        assertThat(json.path("disks")).hasSize(2);
        JsonNode vd0 = json.path("disks").get(0);
        assertThat(vd0.path("disk").asText()).isEqualTo("vd0");
        assertThat(vd0.path("qdev").asText()).isEqualTo("/machine/peripheral/vd0/virtio-backend");
        assertThat(vd0.path("node").asText()).isEqualTo("q4j-0000abcd");
        assertThat(vd0.path("layers").get(1).get("node").isNull()).isTrue();
        assertThat(vd0.path("layers").get(1).path("image").asText()).isEqualTo("/vm/disk0.raw");
        assertThat(vd0.path("layers").get(1).path("format").asText()).isEqualTo("raw");
        assertThat(json.path("disks").get(1).path("layers")).isEmpty();
    }

    @Test
    void mergeTextAndJson() {
        BlockDisk now = new BlockDisk("", VD0.qdev(), "disk0", Path.of("/vm/disk0.qcow2"), "qcow2", 16 << 20, 65536,
                false, false, 0);
        MergeResult result = new MergeResult(now, "q4j-0000abcd", Path.of("/vm/disk0.s1.qcow2"), true,
                Duration.ofMillis(1234));

        assertThat(ResultText.merge(result)).isEqualTo("""
                merged:              vd0
                removed node:        q4j-0000abcd
                removed overlay:     /vm/disk0.s1.qcow2 (deleted)
                active now:          disk0, /vm/disk0.qcow2
                took:                1234 ms
                """);
        JsonNode json = ResultJson.merge(result);
        assertThat(json.path("disk").asText()).isEqualTo("vd0");
        assertThat(json.path("removedNode").asText()).isEqualTo("q4j-0000abcd");
        assertThat(json.path("removedOverlay").asText()).isEqualTo("/vm/disk0.s1.qcow2");
        assertThat(json.path("overlayDeleted").asBoolean()).isTrue();
        assertThat(json.path("tookMillis").asLong()).isEqualTo(1234);
        assertThat(json.path("node").asText()).isEqualTo("disk0");
    }

    @Test
    void revertTextAndJson() {
        RevertResult result = new RevertResult(Path.of("/vm/d.revert-20261122-033005.qcow2"), Path.of("/vm/d.s1.qcow2"),
                List.of(Path.of("/vm/d.s3.qcow2"), Path.of("/vm/d.s2.qcow2")), List.of(Path.of("/vm/d.s3.qcow2")));

        assertThat(ResultText.revert(result)).isEqualTo("""
                boot: /vm/d.revert-20261122-033005.qcow2
                snapshot: /vm/d.s1.qcow2
                abandoned: 2
                  /vm/d.s3.qcow2
                  /vm/d.s2.qcow2
                deleted: 1
                  /vm/d.s3.qcow2
                kept: 1
                  /vm/d.s2.qcow2
                """);
        JsonNode json = ResultJson.revert(result);
        assertThat(json.path("bootImage").asText()).isEqualTo("/vm/d.revert-20261122-033005.qcow2");
        assertThat(json.path("snapshotImage").asText()).isEqualTo("/vm/d.s1.qcow2");
        assertThat(json.path("abandoned")).extracting(JsonNode::asText).containsExactly("/vm/d.s3.qcow2", "/vm/d.s2.qcow2");
        assertThat(json.path("deleted")).extracting(JsonNode::asText).containsExactly("/vm/d.s3.qcow2");
        assertThat(json.path("kept")).extracting(JsonNode::asText).containsExactly("/vm/d.s2.qcow2");
    }
}
