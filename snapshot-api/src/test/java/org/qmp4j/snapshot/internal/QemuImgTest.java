package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.ImageException;

/** Decoding of {@code qemu-img info --output=json} (shapes as printed by qemu-img 7.2). */
class QemuImgTest {
    private static final String CHAIN = """
            [
                {
                    "backing-filename-format": "raw",
                    "virtual-size": 16777216,
                    "filename": "/vm/top.qcow2",
                    "cluster-size": 65536,
                    "format": "qcow2",
                    "full-backing-filename": "/vm/base.raw",
                    "backing-filename": "base.raw",
                    "dirty-flag": false,
                    "some-future-field": {"x": 1}
                },
                {
                    "virtual-size": 16777216,
                    "filename": "/vm/base.raw",
                    "format": "raw",
                    "dirty-flag": false
                }
            ]
            """;

    @Test
    void chainIsDecodedTopFirstWithoutNodeNames() {
        assertThat(QemuImg.parseChain(CHAIN)).containsExactly(
                new ChainLayer(null, Path.of("/vm/top.qcow2"), "qcow2"),
                new ChainLayer(null, Path.of("/vm/base.raw"), "raw"));
    }

    @Test
    void anEmptyOrBrokenChainIsAnImageException() {
        assertThatThrownBy(() -> QemuImg.parseChain("[]")).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> QemuImg.parseChain("{\"filename\": \"x\"}")).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> QemuImg.parseChain("[{\"filename\": \"x\"}]"))
                .isInstanceOf(ImageException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> QemuImg.parseChain("qemu-img: oops")).isInstanceOf(ImageException.class)
                .hasMessageContaining("qemu-img: oops");
    }

    @Test
    void infoPrefersTheFullBackingFilename() {
        QemuImgInfo info = QemuImg.parseInfo("""
                {"format": "qcow2", "filename": "top.qcow2", "backing-filename": "base.raw",
                 "full-backing-filename": "/elsewhere/base.raw"}""", Path.of("/vm/top.qcow2"));
        assertThat(info).isEqualTo(new QemuImgInfo(Path.of("/vm/top.qcow2"), "qcow2", Path.of("/elsewhere/base.raw")));
    }

    @Test
    void aRelativeBackingFilenameIsRelativeToTheImagesDirectory() {
        QemuImgInfo info = QemuImg.parseInfo("""
                {"format": "qcow2", "filename": "top.qcow2", "backing-filename": "../base/b.qcow2"}""",
                Path.of("/vm/d/top.qcow2"));
        assertThat(info.backing()).isEqualTo(Path.of("/vm/base/b.qcow2"));
    }

    @Test
    void anImageWithoutBackingHasNone() {
        QemuImgInfo info = QemuImg.parseInfo("{\"format\": \"raw\", \"filename\": \"/vm/b.raw\"}", Path.of("/vm/b.raw"));
        assertThat(info.format()).isEqualTo("raw");
        assertThat(info.backing()).isNull();
    }

    @Test
    void lockConflictsAreRecognisedFromStderr() {
        assertThat(QemuImg.isLockConflict("qemu-img: Could not open 'a.qcow2': Failed to get shared \"write\" lock\n"
                + "Is another process using the image [a.qcow2]?")).isTrue();
        assertThat(QemuImg.isLockConflict("qemu-img: Could not open 'a.qcow2': Failed to get \"write\" lock")).isTrue();
        assertThat(QemuImg.isLockConflict("qemu-img: Could not open 'a.qcow2': No such file or directory")).isFalse();
    }

    @Test
    void timeoutMustBePositive() {
        assertThatThrownBy(() -> new QemuImg(Path.of("qemu-img"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuImg(Path.of("qemu-img"), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingExecutableIsAnImageException() {
        QemuImg missing = new QemuImg(Path.of("/nonexistent/qemu-img"), Duration.ofSeconds(5));
        assertThatThrownBy(() -> missing.backingChain(Path.of("/vm/x.qcow2")))
                .isInstanceOf(ImageException.class).hasMessageContaining("/nonexistent/qemu-img");
    }
}
