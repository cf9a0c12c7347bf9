package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qga.ShutdownMode;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.TestGuest;

/**
 * The offline snapshot and revert, proven with a real guest: write A, shut down, snapshot, boot
 * the overlay and write B, shut down, revert to the snapshot: the reverted disk is a clean ext4
 * with A and without B.
 */
class OfflineRevertGuestIT {
    private static final Duration POWER_OFF_LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final OfflineImages images = OfflineImages.create();

    @Test
    void revertedDiskHasWhatTheSnapshotHadAndNothingLater() throws Exception {
        Path disk = TestGuest.createExt4Disk(dir, "disk0", 64);

        try (TestGuest guest = boot(disk)) {
            sh(guest, "echo A > /mnt/vda/a; sync");
            powerOff(guest);
        }

        List<DiskSnapshot> snapshot = images.snapshot(List.of(disk), "s1", null);
        Path overlay = snapshot.get(0).overlay();
        assertThat(overlay).isEqualTo(dir.resolve("disk0.s1.qcow2"));
        String snapshotDigest = sha256(disk);

        try (TestGuest guest = boot(overlay)) {
            assertThat(sh(guest, "cat /mnt/vda/a").stdoutText()).isEqualTo("A\n");
            sh(guest, "echo B > /mnt/vda/b; sync");
            powerOff(guest);
        }
        assertThat(sha256(disk)).as("the guest wrote into the overlay, never into the snapshot image")
                .isEqualTo(snapshotDigest);

        RevertResult revert = images.revert(overlay, disk, true);
        assertThat(revert.snapshotImage()).isEqualTo(disk);
        assertThat(revert.abandoned()).containsExactly(overlay);
        assertThat(revert.deleted()).containsExactly(overlay);
        assertThat(overlay).doesNotExist();
        assertThat(images.backingChain(revert.bootImage())).extracting(ChainLayer::image)
                .containsExactly(revert.bootImage(), disk);

        assertCleanExt4(revert.bootImage());

        try (TestGuest guest = boot(revert.bootImage())) {
            assertThat(sh(guest, "cat /mnt/vda/a").stdoutText()).isEqualTo("A\n");
            assertThat(sh(guest, "if [ -e /mnt/vda/b ]; then echo present; else echo absent; fi").stdoutText())
                    .isEqualTo("absent\n");
            assertThat(sh(guest, "grep ' /mnt/vda ' /proc/mounts").stdoutText()).contains("ext4 rw");
        }
        assertThat(sha256(disk)).isEqualTo(snapshotDigest);
    }

    private static TestGuest boot(Path image) {
        return TestGuest.builder().diskImages(List.of(image)).start();
    }

    private static GuestAgentClient agent(TestGuest guest) {
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket()))
                .commandTimeout(Duration.ofSeconds(60)).build());
    }

    private static ExecResult sh(TestGuest guest, String script) {
        try (GuestAgentClient ga = agent(guest)) {
            ExecResult r = ga.exec(ExecRequest.builder("/bin/sh").args("-c", script).timeout(Duration.ofSeconds(60))
                    .build());
            assertThat(r.exitCode()).as("exit code of %s; stderr: %s", script, r.stderrText()).isZero();
            return r;
        }
    }

    /** A clean shutdown through the agent; with -no-reboot the power-off ends QEMU. */
    private static void powerOff(TestGuest guest) throws InterruptedException {
        try (GuestAgentClient ga = agent(guest)) {
            ga.shutdown(ShutdownMode.POWERDOWN);
        }
        assertThat(guest.qemu().process().waitFor(POWER_OFF_LIMIT.toSeconds(), TimeUnit.SECONDS))
                .as("QEMU exits after the guest powered off").isTrue();
    }

    /** From outside: the image's file system needs no journal recovery and passes a forced fsck. */
    private void assertCleanExt4(Path image) throws Exception {
        Path raw = dir.resolve("check.raw");
        try {
            HostCommand.run(Duration.ofSeconds(120), "qemu-img", "convert", "-U", "-O", "raw", image.toString(),
                    raw.toString());
            String features = HostCommand.run("dumpe2fs", "-h", raw.toString()).lines()
                    .filter(l -> l.startsWith("Filesystem features:")).findFirst().orElseThrow();
            assertThat(features).contains("has_journal").doesNotContain("needs_recovery");
            HostCommand.run(Duration.ofSeconds(120), "e2fsck", "-fn", raw.toString()); // fails the test unless exit 0
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
