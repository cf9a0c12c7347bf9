package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;

/** {@link OfflineImages} with the real {@code qemu-img}, on small images in a temp dir. */
class OfflineImagesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2024-03-05 07:08:09 UTC. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T07:08:09Z"), ZoneOffset.UTC);
    private static final String REVERT_NAME = "disk0.revert-20240305-070809";

    private final OfflineImages images = OfflineImages.create(Path.of("qemu-img"), Duration.ofSeconds(60), CLOCK);

    @TempDir
    Path dir;

    // ---- backing chains and overlays -------------------------------------------------------------

    @Test
    void backingChainListsTopFirstWithFormats() {
        Path base = raw("base.raw");
        Path mid = qemuImgOverlay(base, "raw", "mid.qcow2");
        Path top = qemuImgOverlay(mid, "qcow2", "top.qcow2");

        assertThat(images.backingChain(top)).containsExactly(
                new ChainLayer(null, top, "qcow2"), new ChainLayer(null, mid, "qcow2"), new ChainLayer(null, base, "raw"));
        assertThat(images.backingChain(base)).containsExactly(new ChainLayer(null, base, "raw"));
    }

    @Test
    void backingChainOfARelativePathIsAbsolute() {
        Path base = qcow2("disk0.qcow2");
        Path relative = Path.of("").toAbsolutePath().relativize(base);
        assertThat(images.backingChain(relative)).containsExactly(new ChainLayer(null, base, "qcow2"));
    }

    @Test
    void createOverlayIsOwnerOnlyWithAbsoluteBackingAndItsFormat() throws Exception {
        Path base = raw("base.raw");
        Path relativeBase = Path.of("").toAbsolutePath().relativize(base);

        Path overlay = images.createOverlay(relativeBase, dir.resolve("over.qcow2"));

        assertThat(overlay).isEqualTo(dir.resolve("over.qcow2"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(overlay))).isEqualTo("rw-------");
        JsonNode info = info(overlay);
        assertThat(info.get("format").asText()).isEqualTo("qcow2");
        assertThat(info.get("backing-filename").asText()).isEqualTo(base.toString());
        assertThat(info.get("backing-filename-format").asText()).isEqualTo("raw");
        assertThat(info.get("virtual-size").asLong()).isEqualTo(16L << 20);
    }

    @Test
    void createOverlayRefusesAnExistingPathAndLeavesItUntouched() throws Exception {
        Path base = qcow2("base.qcow2");
        Path existing = Files.writeString(dir.resolve("over.qcow2"), "precious data");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> images.createOverlay(base, existing))
                .isInstanceOf(ImageException.class).hasMessageContaining("already exists");

        assertThat(existing).hasContent("precious data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rw-r--r--");
    }

    @Test
    void createOverlayRemovesItsFileWhenQemuImgCreateFails() {
        Path base = qcow2("base.qcow2");
        OfflineImages failing = withFakeQemuImg("""
                case "$1" in create) echo "injected create failure" >&2; exit 1 ;; esac""");

        assertThatThrownBy(() -> failing.createOverlay(base, dir.resolve("over.qcow2")))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("injected create failure").hasMessageContaining("removed");
        assertThat(dir.resolve("over.qcow2")).doesNotExist();
    }

    // ---- offline snapshot ------------------------------------------------------------------------

    @Test
    void snapshotOfTwoImagesPutsOverlaysBesideThem() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path d1 = qcow2("disk1.qcow2");

        List<DiskSnapshot> snap = images.snapshot(List.of(d0, d1), "s1", null);

        assertThat(snap).containsExactly(
                new DiskSnapshot("disk0.qcow2", null, d0, dir.resolve("disk0.s1.qcow2"), null),
                new DiskSnapshot("disk1.qcow2", null, d1, dir.resolve("disk1.s1.qcow2"), null));
        for (DiskSnapshot s : snap) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.overlay()))).isEqualTo("rw-------");
            assertThat(images.backingChain(s.overlay())).extracting(ChainLayer::image).containsExactly(s.overlay(), s.base());
        }

        // The next snapshot is taken of the overlays; its names do not grow.
        List<DiskSnapshot> next = images.snapshot(List.of(snap.get(0).overlay(), snap.get(1).overlay()), "s2", null);
        assertThat(next).extracting(DiskSnapshot::overlay)
                .containsExactly(dir.resolve("disk0.s2.qcow2"), dir.resolve("disk1.s2.qcow2"));
        assertThat(images.backingChain(next.get(0).overlay())).extracting(ChainLayer::image)
                .containsExactly(dir.resolve("disk0.s2.qcow2"), dir.resolve("disk0.s1.qcow2"), d0);
    }

    @Test
    void snapshotPutsOverlaysIntoTheGivenDirectory() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path snaps = Files.createDirectory(dir.resolve("snaps"));

        List<DiskSnapshot> snap = images.snapshot(List.of(d0), "nightly", snaps);

        assertThat(snap.get(0).overlay()).isEqualTo(snaps.resolve("disk0.nightly.qcow2"));
        assertThat(info(snaps.resolve("disk0.nightly.qcow2")).get("backing-filename").asText()).isEqualTo(d0.toString());
    }

    @Test
    void snapshotChecksEveryPathBeforeCreatingAnything() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path d1 = qcow2("disk1.qcow2");
        Path taken = Files.writeString(dir.resolve("disk1.s1.qcow2"), "not mine");

        assertThatThrownBy(() -> images.snapshot(List.of(d0, d1), "s1", null))
                .isInstanceOf(ImageException.class).hasMessageContaining(taken.toString()).hasMessageContaining("exists");
        assertThat(dir.resolve("disk0.s1.qcow2")).doesNotExist();
        assertThat(taken).hasContent("not mine");

        assertThatThrownBy(() -> images.snapshot(List.of(d0, d0), "s2", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("same overlay");
        assertThatThrownBy(() -> images.snapshot(List.of(d0), "s3", dir.resolve("missing")))
                .isInstanceOf(ImageException.class).hasMessageContaining("does not exist");
        assertThat(files()).containsExactlyInAnyOrder(d0, d1, taken);
    }

    @Test
    void aFailureMidwayRemovesTheOverlaysCreatedSoFar() {
        Path d0 = qcow2("disk0.qcow2");
        Path d1 = qcow2("disk1.qcow2");
        OfflineImages failing = withFakeQemuImg("""
                case "$1 $named" in create*disk1.s1.qcow2) echo "injected failure for disk1" >&2; exit 1 ;; esac""");

        assertThatThrownBy(() -> failing.snapshot(List.of(d0, d1), "s1", null))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("injected failure for disk1")
                .hasMessageContaining("removed [" + dir.resolve("disk0.s1.qcow2") + "]");
        assertThat(files()).containsExactlyInAnyOrder(d0, d1);
    }

    @Test
    void aCollisionCreatedMidwayIsLeftAloneAndOurOverlaysRemoved() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path d1 = qcow2("disk1.qcow2");
        Path intruder = dir.resolve("disk1.s1.qcow2");
        // Someone creates disk1's overlay path while disk0's overlay is being made.
        OfflineImages racing = withFakeQemuImg("case \"$1 $named\" in create*disk0.s1.qcow2) echo intruder > '"
                + intruder + "' ;; esac");

        assertThatThrownBy(() -> racing.snapshot(List.of(d0, d1), "s1", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("already exists");
        assertThat(intruder).hasContent("intruder");
        assertThat(files()).containsExactlyInAnyOrder(d0, d1, intruder);
    }

    @Test
    void aLinkSwappedInWhileQemuImgRunsIsNotWrittenThrough() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path victim = Files.writeString(dir.resolve("victim.conf"), "precious");
        Path overlay = dir.resolve("disk0.s1.qcow2");
        Path moved = dir.resolve("moved.qcow2");
        OfflineImages swapping = withFakeQemuImg("case \"$1 $named\" in create*disk0.s1.qcow2) mv '" + overlay
                + "' '" + moved + "' && ln -s '" + victim + "' '" + overlay + "' ;; esac");

        assertThatThrownBy(() -> swapping.snapshot(List.of(d0), "s1", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("moved or replaced");
        assertThat(victim).hasContent("precious");
        assertThat(Images.backingFile(moved)).isEqualTo(d0.toString()); // qemu-img wrote into the file qmp4j made
    }

    @Test
    void aLinkPlacedWhereAnOverlayWillBeIsRefused() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path victim = Files.writeString(dir.resolve("victim.conf"), "precious");
        Files.createSymbolicLink(dir.resolve("disk0.s1.qcow2"), victim);
        assertThatThrownBy(() -> images.snapshot(List.of(d0), "s1", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("already exists");
        assertThat(victim).hasContent("precious");
    }

    // ---- revert ------------------------------------------------------------------------------------

    @Test
    void revertPutsAFreshOverlayOnTheSnapshotAndKeepsTheRestUnlessAsked() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        Path s2 = images.snapshot(List.of(s1), "s2", null).get(0).overlay();
        String baseDigest = sha256(d0);

        RevertResult r = images.revert(s2, d0, false);

        Path boot = dir.resolve(REVERT_NAME + ".qcow2");
        assertThat(r).isEqualTo(new RevertResult(boot, d0, List.of(s2, s1), List.of()));
        assertThat(r.kept()).containsExactly(s2, s1);
        assertThat(images.backingChain(boot)).extracting(ChainLayer::image).containsExactly(boot, d0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(boot))).isEqualTo("rw-------");
        assertThat(files()).containsExactlyInAnyOrder(d0, s1, s2, boot);
        assertThat(sha256(d0)).as("the snapshot image is never written").isEqualTo(baseDigest);

        // Same second again: the name gets a suffix instead of overwriting.
        RevertResult again = images.revert(s2, s1, false);
        assertThat(again.bootImage()).isEqualTo(dir.resolve(REVERT_NAME + "-2.qcow2"));
        assertThat(again.abandoned()).containsExactly(s2);
        assertThat(images.backingChain(again.bootImage())).extracting(ChainLayer::image)
                .containsExactly(again.bootImage(), s1, d0);
    }

    @Test
    void revertToTheCurrentImageAbandonsNothing() {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();

        RevertResult r = images.revert(s1, s1, true);

        assertThat(r.abandoned()).isEmpty();
        assertThat(r.deleted()).isEmpty();
        assertThat(images.backingChain(r.bootImage())).extracting(ChainLayer::image).containsExactly(r.bootImage(), s1, d0);
    }

    @Test
    void revertRefusesAnImageOutsideTheChain() throws Exception {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        Path other = qcow2("other.qcow2");
        Path sibling = images.createOverlay(d0, dir.resolve("sibling.qcow2"));

        assertThatThrownBy(() -> images.revert(s1, other, true))
                .isInstanceOf(ImageException.class).hasMessageContaining("not in the backing chain");
        // An image above the current one is not in its chain either.
        assertThatThrownBy(() -> images.revert(d0, s1, true))
                .isInstanceOf(ImageException.class).hasMessageContaining("not in the backing chain");
        assertThatThrownBy(() -> images.revert(s1, sibling, true))
                .isInstanceOf(ImageException.class).hasMessageContaining("not in the backing chain");
        assertThat(files()).containsExactlyInAnyOrder(d0, s1, other, sibling);
    }

    @Test
    void deleteAbandonedDeletesWhatNothingElseUses() {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        Path s2 = images.snapshot(List.of(s1), "s2", null).get(0).overlay();

        RevertResult r = images.revert(s2, d0, true);

        assertThat(r.abandoned()).containsExactly(s2, s1);
        assertThat(r.deleted()).containsExactly(s2, s1);
        assertThat(files()).containsExactlyInAnyOrder(d0, r.bootImage());
    }

    @Test
    void deleteAbandonedKeepsImagesAnotherOverlayStillUses() {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        Path s2 = images.snapshot(List.of(s1), "s2", null).get(0).overlay();
        Path s3 = images.snapshot(List.of(s2), "s3", null).get(0).overlay();
        // Another branch (a clone, say) grows from s2; its name says nothing about that.
        Path branch = images.createOverlay(s2, dir.resolve("clone-of-vm"));

        RevertResult r = images.revert(s3, d0, true);

        assertThat(r.abandoned()).containsExactly(s3, s2, s1);
        assertThat(r.deleted()).as("s2 is the clone's backing file, and s1 is s2's").containsExactly(s3);
        assertThat(r.kept()).containsExactly(s2, s1);
        assertThat(files()).containsExactlyInAnyOrder(d0, s1, s2, branch, r.bootImage());
        assertThat(images.backingChain(branch)).extracting(ChainLayer::image).containsExactly(branch, s2, s1, d0);
    }

    // ---- images in use -------------------------------------------------------------------------

    @Test
    void deleteAbandonedKeepsALayerARunningQemuHasOpen() {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        Path s2 = images.snapshot(List.of(s1), "s2", null).get(0).overlay();
        try (QemuProcess qemu = QemuProcess.startMachineNone(); QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            // another VM reads s1 (and below it d0) as its read-only backing: no image names it
            qmp.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", "ro", "read-only", true,
                    "file", Map.of("driver", "file", "filename", s1.toString(), "read-only", true)));

            RevertResult r = images.revert(s2, d0, true);

            assertThat(r.abandoned()).containsExactly(s2, s1);
            assertThat(r.deleted()).as("s1 is open in a running QEMU").containsExactly(s2);
            assertThat(r.kept()).containsExactly(s1);
            assertThat(files()).containsExactlyInAnyOrder(d0, s1, r.bootImage());
        }
    }

    @Test
    void imagesARunningQemuHoldsAreRefused() {
        Path d0 = qcow2("disk0.qcow2");
        Path s1 = images.snapshot(List.of(d0), "s1", null).get(0).overlay();
        try (QemuProcess qemu = QemuProcess.startMachineNone(); QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            qmp.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", "d0",
                    "file", Map.of("driver", "file", "filename", s1.toString())));

            assertThatThrownBy(() -> images.snapshot(List.of(s1), "s2", null))
                    .isInstanceOf(ImageException.class).hasMessageContaining("in use by a running QEMU")
                    .hasMessageContaining("lock");
            assertThatThrownBy(() -> images.revert(s1, d0, true))
                    .isInstanceOf(ImageException.class).hasMessageContaining("in use by a running QEMU");
            assertThatThrownBy(() -> images.createOverlay(s1, dir.resolve("x.qcow2")))
                    .isInstanceOf(ImageException.class).hasMessageContaining("in use by a running QEMU");
            assertThat(files()).containsExactlyInAnyOrder(d0, s1);
            // Reading the chain needs no lock.
            assertThat(images.backingChain(s1)).extracting(ChainLayer::image).containsExactly(s1, d0);
        }
        // Once QEMU is gone, the same snapshot works: it was the lock that refused it.
        assertThat(images.snapshot(List.of(s1), "s2", null)).hasSize(1);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Path qcow2(String name) {
        Path image = dir.resolve(name);
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "16M");
        return image;
    }

    private Path raw(String name) {
        Path image = dir.resolve(name);
        HostCommand.run("qemu-img", "create", "-q", "-f", "raw", image.toString(), "16M");
        return image;
    }

    private Path qemuImgOverlay(Path base, String baseFormat, String name) {
        Path image = dir.resolve(name);
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", baseFormat,
                image.toString());
        return image;
    }

    private static JsonNode info(Path image) throws IOException {
        return JSON.readTree(HostCommand.run("qemu-img", "info", "--output=json", "-U", image.toString()));
    }

    /** A qemu-img that runs {@code hook} (a shell snippet that may exit) and then the real one. */
    private OfflineImages withFakeQemuImg(String hook) {
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path script = bin.resolve("qemu-img");
            // $named: the file the last argument names (qmp4j passes a created overlay as /proc/PID/fd/N)
            Files.writeString(script, "#!/bin/sh\nfor last; do :; done\n"
                    + "named=$(readlink \"$last\" 2>/dev/null || echo \"$last\")\n" + hook + "\nexec qemu-img \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            return OfflineImages.create(script, Duration.ofSeconds(60), CLOCK);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files in the temp dir (not the fake qemu-img's directory). */
    private List<Path> files() {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
