package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;

/**
 * Disks that cannot be snapshotted are refused by name with the reason, before anything is
 * created: read-only, shared with other VMs (share-rw), no medium. A q35 machine that never
 * starts (-S) is enough: the snapshot only needs its block devices.
 */
class PreflightRefusalIT {
    private QemuProcess qemu;
    private QmpClient qmp;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("qmp4j-preflight-");
        for (String name : List.of("ro", "shared", "plain")) {
            HostCommand.run(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2",
                    dir.resolve(name + ".qcow2").toString(), "16M");
        }
        qemu = QemuProcess.start(List.of("-machine", "q35,accel=tcg", "-S",
                "-drive", "if=none,id=ro,format=qcow2,readonly=on,file=" + dir.resolve("ro.qcow2"),
                "-device", "virtio-blk-pci,drive=ro,id=vro",
                "-drive", "if=none,id=shared,format=qcow2,file=" + dir.resolve("shared.qcow2"),
                "-device", "virtio-blk-pci,drive=shared,id=vshared,share-rw=on",
                "-drive", "if=none,id=plain,format=qcow2,file=" + dir.resolve("plain.qcow2"),
                "-device", "virtio-blk-pci,drive=plain,id=vplain",
                "-drive", "if=none,id=cd,media=cdrom",
                "-device", "ide-cd,drive=cd,bus=ide.0,id=vcd"));
        qmp = QmpClient.connect(qemu.qmpSocket());
    }

    @AfterEach
    void stop() {
        try {
            if (qmp != null) {
                qmp.close();
            }
        } finally {
            if (qemu != null) {
                qemu.close();
            }
            QemuProcess.deleteRecursively(dir);
        }
    }

    private void assertRefused(String disk, String reason) throws Exception {
        List<Path> before = files();
        assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("s1").disk(disk)
                .quiesce(QuiescePolicy.OFF).build()))
                .isInstanceOfSatisfying(SnapshotFailedException.class, e -> {
                    assertThat(e.step()).isEqualTo("preflight");
                    assertThat(e.getMessage()).contains(disk).contains(reason);
                    assertThat(e.undone()).isEmpty();
                });
        assertThat(files()).isEqualTo(before);
    }

    @Test
    void readOnlySharedAndEmptyDisksAreRefusedByName() throws Exception {
        assertRefused("ro", "read-only");
        assertRefused("shared", "shared with other VMs");
        assertRefused("cd", "has no image");
    }

    @Test
    void theDefaultSelectionSkipsThemAndTakesTheRest() {
        // By default: every writable disk with an image. share-rw disks are writable, so they are
        // part of the default and refuse the whole snapshot rather than being silently left out.
        assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("all")
                .quiesce(QuiescePolicy.OFF).build()))
                .hasMessageContaining("shared with other VMs");
        SnapshotResult plainOnly = LiveSnapshots.of(qmp).take(SnapshotRequest.builder("p")
                .disk("plain").quiesce(QuiescePolicy.OFF).build());
        assertThat(plainOnly.disks()).extracting(DiskSnapshot::device).containsExactly("plain");
        assertThat(plainOnly.disks().get(0).overlay()).isEqualTo(dir.resolve("plain.p.qcow2"));
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
