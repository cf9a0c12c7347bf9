package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Argument checks happen before any file is touched or any program runs: the qemu-img given here
 * does not exist, so reaching it would fail with an {@link ImageException} instead.
 */
class OfflineImagesTest {
    private static final OfflineImages NO_QEMU_IMG = OfflineImages.create(Path.of("/nonexistent/qemu-img"),
            Duration.ofSeconds(5));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "a/b", "../up", "a..b", "with space", "semi;colon", "x:y", "ünicode"})
    void unsafeNamesAreRefusedBeforeAnythingRuns(String name) {
        Path image = dir.resolve("disk0.qcow2");
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(List.of(image), name, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not safe");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aNameLongerThan64CharactersIsRefused() {
        char[] longName = new char[65];
        Arrays.fill(longName, 'a');
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(List.of(dir.resolve("d.qcow2")), new String(longName), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSafeNameGetsAsFarAsQemuImg() {
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(List.of(dir.resolve("d.qcow2")), "nightly-2024.03_05", null))
                .isInstanceOf(ImageException.class).hasMessageContaining("/nonexistent/qemu-img");
    }

    @Test
    void anEmptyListOrNullsAreRefused() {
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(List.of(), "s1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no images");
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(null, "s1", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(List.of(dir.resolve("d.qcow2")), null, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.snapshot(Arrays.asList(dir.resolve("d.qcow2"), null), "s1", null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.revert(null, dir.resolve("d.qcow2"), false))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.revert(dir.resolve("d.qcow2"), null, false))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.createOverlay(null, dir.resolve("o.qcow2")))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NO_QEMU_IMG.createOverlay(dir.resolve("d.qcow2"), null))
                .isInstanceOf(NullPointerException.class);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> OfflineImages.create(Path.of("qemu-img"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingIsCreatedWhenQemuImgCannotRun() throws Exception {
        Path base = Files.writeString(dir.resolve("base.qcow2"), "not really");
        assertThatThrownBy(() -> NO_QEMU_IMG.createOverlay(base, dir.resolve("o.qcow2")))
                .isInstanceOf(ImageException.class);
        assertThat(dir).isDirectoryContaining(p -> p.equals(base)).isDirectoryNotContaining(p -> !p.equals(base));
    }
}
