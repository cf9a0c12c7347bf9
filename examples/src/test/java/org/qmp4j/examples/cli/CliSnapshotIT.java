package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.HostCommand;

/**
 * {@code qmp4j snapshot}, {@code chain} and {@code merge} against a running QEMU with two real
 * qcow2 disks ({@link DiskVm}), run in this JVM. What the CLI prints is checked against the
 * image files on disk ({@code qemu-img info}) and against what QEMU reports afterwards.
 */
class CliSnapshotIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DiskVm vm;

    @BeforeEach
    void startVm() {
        vm = DiskVm.start(dir, 2);
    }

    @AfterEach
    void stopVm() {
        vm.close();
    }

    private String qmp() {
        return vm.qmpSocket().toString();
    }

    private JsonNode chains() {
        CliRun run = CliRun.inProcess("chain", "--qmp", qmp(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.json().path("disks");
    }

    /** The images of one disk's chain, top first, from {@code qmp4j chain --json}. */
    private List<String> layerImages(String disk) {
        for (JsonNode d : chains()) {
            if (d.path("disk").asText().equals(disk)) {
                return d.path("layers").findValuesAsText("image");
            }
        }
        throw new AssertionError("no disk " + disk + " in " + chains());
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** {@code qemu-img info} of an image QEMU has open: its format and backing file. */
    private static JsonNode imageInfo(String image) throws Exception {
        return JSON.readTree(HostCommand.run("qemu-img", "info", "-U", "--output=json", image));
    }

    @Test
    void chainShowsEachDiskWithItsImage() {
        CliRun text = CliRun.inProcess("chain", "--qmp", qmp());
        JsonNode disks = chains();

        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).isEqualTo("vd0: 1 layer, top first\n  disk0  qcow2  " + vm.images().get(0) + "\n"
                + "vd1: 1 layer, top first\n  disk1  qcow2  " + vm.images().get(1) + "\n");
        assertThat(disks).hasSize(2);
        assertThat(disks.get(0).path("node").asText()).isEqualTo("disk0");
        assertThat(disks.get(0).path("layers").get(0).path("format").asText()).isEqualTo("qcow2");
        assertThat(disks.get(1).path("layers").findValuesAsText("image"))
                .containsExactly(vm.images().get(1).toString());
    }

    @Test
    void unquiescedSnapshotJsonMatchesTheFilesAndTheChains() throws Exception {
        Instant before = Instant.now();
        CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "off", "--name", "s1", "--json");
        Instant after = Instant.now();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode result = run.json();
        assertThat(result.path("name").asText()).isEqualTo("s1");
        assertThat(Instant.parse(result.path("time").asText())).isBetween(before, after);
        assertThat(result.path("quiesced").asBoolean()).isFalse();
        assertThat(result.path("quiesceSkippedReason").asText()).isEqualTo("quiesce policy is OFF");
        assertThat(result.path("frozenFilesystems").asInt()).isZero();
        assertThat(result.path("freezeWindowMillis").asDouble()).isZero();
        assertThat(result.get("memoryFile").isNull()).isTrue();
        assertThat(result.path("disks")).hasSize(2);
        List<String> nodes = vm.nodeNames();
        for (int i = 0; i < 2; i++) {
            JsonNode disk = result.path("disks").get(i);
            String base = vm.images().get(i).toString();
            String overlay = dir.resolve("disk" + i + ".s1.qcow2").toString();
            assertThat(disk.path("device").asText()).isEqualTo("vd" + i);
            assertThat(disk.path("node").asText()).isEqualTo("disk" + i);
            assertThat(disk.path("base").asText()).isEqualTo(base);
            assertThat(disk.path("overlay").asText()).isEqualTo(overlay);
            assertThat(nodes).contains(disk.path("overlayNode").asText());
            JsonNode info = imageInfo(overlay);
            assertThat(info.path("format").asText()).isEqualTo("qcow2");
            assertThat(info.path("backing-filename").asText()).isEqualTo(base);
            assertThat(layerImages("vd" + i)).containsExactly(overlay, base);
        }
        assertThat(chains().get(0).path("node").asText()).isEqualTo(result.path("disks").get(0).path("overlayNode").asText());
        assertThat(files()).containsExactlyInAnyOrder(vm.images().get(0), vm.images().get(1),
                dir.resolve("disk0.s1.qcow2"), dir.resolve("disk1.s1.qcow2"));
    }

    @Test
    void textReportOfOneDiskWithDefaultNameAndOverlayDirectory() throws Exception {
        Path overlays = Files.createDirectory(dir.resolve("overlays"));

        CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "off", "--disk", "vd1",
                "--dir", overlays.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).matches("name: +snap-\\d{8}-\\d{6}");
        String name = lines.get(0).replaceFirst("name: +", "");
        Path overlay = overlays.resolve("disk1." + name + ".qcow2");
        assertThat(overlay).exists();
        assertThat(lines).contains("quiesced:            no (quiesce policy is OFF)", "frozen file systems: 0",
                "freeze window:       0.000 ms", "disks:");
        assertThat(lines.get(lines.size() - 1))
                .matches("  vd1: disk1 -> q4j-[0-9a-f]{8}, " + vm.images().get(1) + " -> " + overlay);
        assertThat(layerImages("vd0")).as("not asked for").containsExactly(vm.images().get(0).toString());
        assertThat(layerImages("vd1")).containsExactly(overlay.toString(), vm.images().get(1).toString());
    }

    @Test
    void snapshotWithMemorySavesRamAndTheVmRunsOn() throws Exception {
        Path ram = dir.resolve("mem1.ram");

        CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--name", "mem1", "--memory", ram.toString(),
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.path("memoryFile").asText()).isEqualTo(ram.toString());
        assertThat(result.path("quiesced").asBoolean()).isFalse();
        assertThat(result.path("quiesceSkippedReason").asText()).contains("memory");
        assertThat(Files.size(ram)).isPositive();
        assertThat(vm.execute("query-status", null).path("status").asText()).isEqualTo("running");
        assertThat(layerImages("vd0")).containsExactly(dir.resolve("disk0.mem1.qcow2").toString(),
                vm.images().get(0).toString());
    }

    @Test
    void snapshotsKeepTheSchemaInTheCacheDirectoryOrNowhereWhenOff() throws Exception {
        Path cache = dir.resolve("schemas");
        String before = System.getProperty(CommonOptions.SCHEMA_CACHE_PROPERTY);
        try {
            System.setProperty(CommonOptions.SCHEMA_CACHE_PROPERTY, "off");
            assertThat(CliRun.inProcess("snapshot", "--qmp", qmp(), "--name", "off1").exitCode()).isZero();
            assertThat(cache).doesNotExist();

            System.setProperty(CommonOptions.SCHEMA_CACHE_PROPERTY, cache.toString());
            for (String name : List.of("kept1", "kept2")) { // the second one reads the file
                CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--name", name);
                assertThat(run.exitCode()).as(run.err()).isZero();
            }
            try (Stream<Path> kept = Files.list(cache)) {
                assertThat(kept.map(f -> f.getFileName().toString())).singleElement().asString()
                        .matches("schema-[0-9a-f]{32}\\.json");
            }
            assertThat(layerImages("vd0")).hasSize(4);
        } finally {
            if (before == null) {
                System.clearProperty(CommonOptions.SCHEMA_CACHE_PROPERTY);
            } else {
                System.setProperty(CommonOptions.SCHEMA_CACHE_PROPERTY, before);
            }
        }
    }

    @Test
    void requiredQuiesceWithoutAgentExits7AndChangesNothing() throws Exception {
        List<Path> filesBefore = files();
        List<String> nodesBefore = vm.nodeNames();
        JsonNode chainsBefore = chains();

        CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "required", "--name", "req");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(7);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: snapshot failed at quiesce check: quiescing is required but "
                + "no guest agent connection was given\n");
        assertThat(files()).isEqualTo(filesBefore);
        assertThat(vm.nodeNames()).isEqualTo(nodesBefore);
        assertThat(chains()).isEqualTo(chainsBefore);
    }

    @Test
    void unknownDiskExits7AndNamesTheDisks() throws Exception {
        List<Path> filesBefore = files();

        CliRun run = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "off", "--disk", "nope");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(7);
        assertThat(run.err()).startsWith("error: snapshot failed at preflight: no disk named 'nope'")
                .contains("vd0").contains("vd1");
        assertThat(files()).isEqualTo(filesBefore);
    }

    @Test
    void missingQmpSocketExits4() {
        Path absent = dir.resolve("absent.sock");

        for (String command : List.of("snapshot", "chain")) {
            CliRun run = CliRun.inProcess(command, "--qmp", absent.toString());

            assertThat(run.exitCode()).as(command + ": " + run.err()).isEqualTo(4);
            assertThat(run.err()).startsWith("error: cannot connect to unix:" + absent);
        }
    }

    @Test
    void mergeAfterSnapshotLeavesOneLayerAgain() throws Exception {
        Path base = vm.images().get(0);
        Path overlay = dir.resolve("disk0.m1.qcow2");
        CliRun snapshot = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "off", "--disk", "vd0",
                "--name", "m1", "--json");
        assertThat(snapshot.exitCode()).as(snapshot.err()).isZero();
        assertThat(layerImages("vd0")).containsExactly(overlay.toString(), base.toString());
        String overlayNode = snapshot.json().path("disks").get(0).path("overlayNode").asText();

        CliRun merge = CliRun.inProcess("merge", "--qmp", qmp(), "--disk", "vd0", "--timeout", "2m", "--json");
        assertThat(merge.exitCode()).as(merge.err()).isZero();
        assertThat(merge.err().lines()).isNotEmpty()
                .allSatisfy(line -> assertThat(line).matches("merging vd0: \\d{1,3}% \\([a-z]+\\)"));
        JsonNode result = merge.json();
        assertThat(result.path("disk").asText()).isEqualTo("vd0");
        assertThat(result.path("removedNode").asText()).isEqualTo(overlayNode);
        assertThat(result.path("removedOverlay").asText()).isEqualTo(overlay.toString());
        assertThat(result.path("overlayDeleted").asBoolean()).isFalse();
        assertThat(result.path("tookMillis").asLong()).isNotNegative();
        assertThat(overlay).as("kept without --delete").exists();
        assertThat(layerImages("vd0")).containsExactly(base.toString());
        assertThat(vm.nodeNames()).doesNotContain(overlayNode);

        // Again with --delete, and the text report.
        CliRun second = CliRun.inProcess("snapshot", "--qmp", qmp(), "--quiesce", "off", "--disk", "vd0",
                "--name", "m2");
        assertThat(second.exitCode()).as(second.err()).isZero();
        Path overlay2 = dir.resolve("disk0.m2.qcow2");
        CliRun deleting = CliRun.inProcess("merge", "--qmp", qmp(), "--disk", "vd0", "--delete");

        assertThat(deleting.exitCode()).as(deleting.err()).isZero();
        assertThat(deleting.out()).contains("merged:              vd0\n")
                .contains("removed overlay:     " + overlay2 + " (deleted)\n");
        assertThat(overlay2).doesNotExist();
        assertThat(layerImages("vd0")).containsExactly(base.toString());

        // Nothing left to merge, and a disk that does not exist: refused, nothing changed.
        for (String disk : List.of("vd0", "nope")) {
            CliRun refused = CliRun.inProcess("merge", "--qmp", qmp(), "--disk", disk);

            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(7);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).startsWith("error: ").contains(disk);
        }
        assertThat(layerImages("vd0")).containsExactly(base.toString());
        assertThat(files()).containsExactlyInAnyOrder(vm.images().get(0), vm.images().get(1), overlay);
    }
}
