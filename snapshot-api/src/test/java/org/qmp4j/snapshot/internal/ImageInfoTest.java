package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageInfoTest {

    @Test
    void plainFileNamesStayAsTheyAre() {
        assertThat(ImageInfo.plain("/images/a.qcow2")).isEqualTo("/images/a.qcow2");
        assertThat(ImageInfo.plain(null)).isNull();
    }

    @Test
    void aJsonPseudoFileNameOnAFileNodeGivesThatFile() {
        // as QEMU 7.2 reports an overlay whose backing node was given explicitly on blkdebug
        String reported = "json:{\"backing\": {\"driver\": \"qcow2\", \"file\": {\"image\": {\"driver\": \"file\","
                + " \"filename\": \"/images/base.qcow2\"}, \"driver\": \"blkdebug\"}}, \"driver\": \"qcow2\","
                + " \"file\": {\"driver\": \"file\", \"filename\": \"/images/overlay.qcow2\"}}";
        assertThat(ImageInfo.plain(reported)).isEqualTo("/images/overlay.qcow2");
    }

    @Test
    void otherJsonPseudoFileNamesAreKept() {
        String blkdebug = "json:{\"driver\": \"qcow2\", \"file\": {\"driver\": \"blkdebug\", \"image\": {}}}";
        assertThat(ImageInfo.plain(blkdebug)).isEqualTo(blkdebug);
        assertThat(ImageInfo.plain("json:{not json")).isEqualTo("json:{not json");
    }
}
