package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.qmp4j.snapshot.ImageException;

class ImageNamesTest {
    private static final LocalDateTime TIME = LocalDateTime.of(2024, 3, 5, 7, 8, 9);

    @Test
    void stemDropsOnlyTheLastExtension() {
        assertThat(ImageNames.stem(Path.of("/vm/disk0.qcow2"))).isEqualTo("disk0");
        assertThat(ImageNames.stem(Path.of("/vm/disk.v2.img"))).isEqualTo("disk.v2");
        assertThat(ImageNames.stem(Path.of("/vm/disk"))).isEqualTo("disk");
        assertThat(ImageNames.stem(Path.of("/vm/.hidden"))).isEqualTo(".hidden");
        assertThat(ImageNames.stem(Path.of("relative.raw"))).isEqualTo("relative");
    }

    @Test
    void snapshotOverlayGoesBesideTheActiveImageNamedAfterTheBottomImage() {
        Path active = Path.of("/vm/disk0.s1.qcow2");
        Path bottom = Path.of("/base/disk0.qcow2");
        assertThat(ImageNames.snapshotOverlay(active, bottom, "s2", null)).isEqualTo(Path.of("/vm/disk0.s2.qcow2"));
    }

    @Test
    void snapshotOverlayGoesIntoTheGivenDirectory() {
        assertThat(ImageNames.snapshotOverlay(Path.of("/vm/disk0.qcow2"), Path.of("/vm/disk0.qcow2"), "s1",
                Path.of("/snaps"))).isEqualTo(Path.of("/snaps/disk0.s1.qcow2"));
    }

    @Test
    void namesNeverGrowAlongAChain() {
        Path bottom = Path.of("/vm/disk0.qcow2");
        Path active = bottom;
        for (int i = 1; i <= 5; i++) {
            active = ImageNames.snapshotOverlay(active, bottom, "s" + i, null);
        }
        assertThat(active).isEqualTo(Path.of("/vm/disk0.s5.qcow2"));
    }

    @Test
    void revertOverlayHasTheTimestamp() {
        assertThat(ImageNames.revertOverlay(Path.of("/vm"), Path.of("/vm/disk0.qcow2"), TIME, p -> false))
                .isEqualTo(Path.of("/vm/disk0.revert-20240305-070809.qcow2"));
    }

    @Test
    void revertOverlayGetsASuffixWhileTheNameIsTaken() {
        Set<Path> taken = Set.of(Path.of("/vm/disk0.revert-20240305-070809.qcow2"),
                Path.of("/vm/disk0.revert-20240305-070809-2.qcow2"));
        assertThat(ImageNames.revertOverlay(Path.of("/vm"), Path.of("/vm/disk0.qcow2"), TIME, taken::contains))
                .isEqualTo(Path.of("/vm/disk0.revert-20240305-070809-3.qcow2"));
    }

    @Test
    void revertOverlayGivesUpWhenEveryNameIsTaken() {
        assertThatThrownBy(() -> ImageNames.revertOverlay(Path.of("/vm"), Path.of("/vm/disk0.qcow2"), TIME, p -> true))
                .isInstanceOf(ImageException.class).hasMessageContaining("no free name");
    }
}
