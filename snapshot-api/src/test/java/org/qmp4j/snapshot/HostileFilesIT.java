package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.SnapshotFlow;

/**
 * A host user who can write to the overlay directory: a link placed where an overlay or memory
 * file will be, or swapped in while qmp4j prepares it, never redirects a write of QEMU's or of
 * qmp4j's; the snapshot fails cleanly, and QEMU keeps no descriptor of ours.
 */
class HostileFilesIT {
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    @TempDir
    Path dir;
    private Path disk;
    private Path victim;
    private String victimHash;
    private Vm vm;

    @BeforeEach
    void start() throws Exception {
        dir = dir.toRealPath();
        disk = Images.qcow2(dir.resolve("disk0.qcow2"), 16);
        victim = dir.resolve("victim.conf");
        Files.writeString(victim, "precious\n");
        victimHash = hash(victim);
        vm = Vm.start("-machine", "q35,accel=tcg", "-m", "64", "-drive", "if=none,id=d0,file=" + disk + ",format=qcow2",
                "-device", "virtio-blk-pci,drive=d0,id=vd0");
    }

    @AfterEach
    void stop() {
        vm.close();
    }

    private Path overlayOf(String name) {
        return dir.resolve("disk0." + name + ".qcow2");
    }

    @Test
    void aLinkPlacedWhereTheOverlayWillBeIsRefusedAndNotFollowed() throws Exception {
        Path dangling = dir.resolve("created-through-the-link");
        Files.createSymbolicLink(overlayOf("pre"), dangling);
        Files.createSymbolicLink(overlayOf("pre2"), victim);

        for (String name : List.of("pre", "pre2")) {
            Throwable t = catchThrowable(() -> vm.snapshots().take(SnapshotRequest.builder(name).build()));
            assertThat(t).isInstanceOf(SnapshotFailedException.class).hasMessageContaining("already exists");
            assertThat(Files.isSymbolicLink(overlayOf(name))).isTrue();
        }
        assertThat(dangling).doesNotExist();
        assertThat(hash(victim)).isEqualTo(victimHash);
        assertNothingOfOursInQemu();
    }

    @Test
    void aLinkSwappedInAfterTheFileWasCreatedNeverRedirectsQemusWrites() throws Exception {
        for (String step : List.of("overlay file created", "image created")) {
            String name = step.startsWith("image") ? "late" : "early";
            Path overlay = overlayOf(name);
            Path moved = dir.resolve("moved-" + name + ".qcow2");
            SnapshotFlow.Hooks swap = at -> {
                if (at.equals(step)) {
                    try {
                        Files.move(overlay, moved);
                        Files.createSymbolicLink(overlay, victim);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            Throwable t = catchThrowable(() -> new SnapshotFlow(vm.qmp, null, SnapshotRequest.builder(name)
                    .quiesce(QuiescePolicy.OFF).build(), swap).run());

            assertThat(t).as(step).isInstanceOf(SnapshotFailedException.class)
                    .hasMessageContaining("moved or replaced");
            SnapshotFailedException failed = (SnapshotFailedException) t;
            assertThat(failed.fullyUndone()).as(step).isTrue(); // what is at the path now is not ours to delete
            assertThat(hash(victim)).as(step).isEqualTo(victimHash);
            assertThat(Files.isSymbolicLink(overlay)).as(step).isTrue();
            // QEMU wrote the qcow2 header into the file qmp4j created, where the swap moved it
            assertThat(startOf(moved)).as(step).isEqualTo(QCOW2_MAGIC);
            assertNothingOfOursInQemu();
            assertThat(vm.snapshots().disks().get(0).image()).isEqualTo(disk);
        }
    }

    @Test
    void overlaysPassedAsDescriptorsKeepTheirNamesThroughChainsAndMerges() throws Exception {
        SnapshotResult first = vm.snapshots().take(SnapshotRequest.builder("s1").build());
        SnapshotResult second = vm.snapshots().take(SnapshotRequest.builder("s2").build());

        JsonNode named = vm.qmp.execute("query-named-block-nodes");
        assertThat(named.toString()).contains("/dev/fdset/");
        assertThat(ours(vm.qmp)).hasSize(2);
        DiskChain chain = vm.snapshots().chains().get(0);
        assertThat(chain.layers()).extracting(ChainLayer::image)
                .containsExactly(overlayOf("s2"), overlayOf("s1"), disk);
        assertThat(Images.backingFile(overlayOf("s2"))).isEqualTo(overlayOf("s1").toString());
        assertThat(Images.backingFile(overlayOf("s1"))).isEqualTo(disk.toString());
        assertThat(second.disks().get(0).base()).isEqualTo(first.disks().get(0).overlay());

        vm.snapshots().merge(MergeRequest.builder("d0").deleteOverlay(true).build());

        assertThat(overlayOf("s2")).doesNotExist();
        assertThat(ours(vm.qmp)).hasSize(1);
        assertThat(openedByQemu()).doesNotContain(overlayOf("s2").toString())
                .contains(overlayOf("s1").toString());
        assertThat(vm.snapshots().disks().get(0).image()).isEqualTo(overlayOf("s1"));
    }

    @Test
    void aMemorySnapshotWhoseMigrationIsRefusedClosesItsDescriptor() throws Exception {
        Path memory = dir.resolve("vm.mem");
        // a slow migration of someone else's already runs when the snapshot's own is asked for
        SnapshotFlow.Hooks competing = at -> {
            if (at.equals("memory descriptor passed")) {
                vm.qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", 1024));
                vm.qmp.execute("migrate", Map.of("uri", "exec:cat > /dev/null"));
            }
        };
        try {
            Throwable t = catchThrowable(() -> new SnapshotFlow(vm.qmp, null, SnapshotRequest.builder("m")
                    .memoryFile(memory).build(), competing).run());

            assertThat(t).isInstanceOf(SnapshotFailedException.class).hasMessageContaining("migration");
            assertThat(memory).doesNotExist();
            assertThat(openedByQemu()).noneMatch(f -> f.startsWith(memory.toString()));
            assertNothingOfOursInQemu();
        } finally {
            vm.qmp.execute("migrate_cancel");
            awaitMigrationEnd();
        }
    }

    @Test
    void aLinkPlacedWhereTheMemoryFileWillBeIsRefused() throws Exception {
        Path memory = dir.resolve("vm.mem");
        Files.createSymbolicLink(memory, victim);
        Throwable t = catchThrowable(() -> vm.snapshots().take(SnapshotRequest.builder("m2").memoryFile(memory).build()));
        assertThat(t).isInstanceOf(SnapshotFailedException.class).hasMessageContaining("already exists");
        assertThat(hash(victim)).isEqualTo(victimHash);
        assertNothingOfOursInQemu();
    }

    // ---- helpers

    private void assertNothingOfOursInQemu() throws IOException {
        assertThat(ourNodes(vm.qmp)).isEmpty();
        assertThat(ours(vm.qmp)).isEmpty();
        assertThat(openedByQemu()).containsOnly(disk.toString());
    }

    /** The fd sets qmp4j made that QEMU still has. */
    private static List<JsonNode> ours(QmpClient qmp) {
        List<JsonNode> sets = new ArrayList<>();
        for (JsonNode set : qmp.execute("query-fdsets")) {
            if (set.toString().contains("qmp4j:")) {
                sets.add(set);
            }
        }
        return sets;
    }

    /** The files in the test directory that the QEMU process has open, by the kernel's name. */
    private List<String> openedByQemu() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(vm.qemu.pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toRealPath().toString())) {
                        files.add(target);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return files.stream().distinct().toList();
    }

    private void awaitMigrationEnd() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String status = vm.qmp.execute("query-migrate").path("status").asText();
            if (!status.equals("active") && !status.equals("cancelling") && !status.equals("setup")) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static byte[] startOf(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return java.util.Arrays.copyOf(all, Math.min(all.length, 4));
    }

    private static String hash(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file.toRealPath(LinkOption.NOFOLLOW_LINKS))));
    }
}
