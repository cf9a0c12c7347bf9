package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.transport.Json;

/** Reading QEMU's block replies with the real names of the files qmp4j passed as descriptors. */
class FdSetsTest {
    private static final Map<Long, String> PATHS = Map.of(3L, "/vm/disk0.s1.qcow2", 12L, "/vm/a \"quoted\" dir/d.qcow2");

    private static String renamed(String name) {
        return FdSets.renamed(name, PATHS, new HashMap<>());
    }

    @Test
    void aPlainNameBecomesItsPath() {
        assertThat(renamed("/dev/fdset/3")).isEqualTo("/vm/disk0.s1.qcow2");
        assertThat(renamed("/vm/disk0.qcow2")).isEqualTo("/vm/disk0.qcow2");
    }

    @Test
    void unknownSetsAndNumbersThatAreNotOneAreKept() {
        assertThat(renamed("/dev/fdset/4")).isEqualTo("/dev/fdset/4");
        assertThat(renamed("/dev/fdset/")).isEqualTo("/dev/fdset/");
        assertThat(renamed("/dev/fdset/30")).isEqualTo("/dev/fdset/30"); // not set 3 followed by a 0
        assertThat(renamed("/dev/fdset/3000000000000000000")).isEqualTo("/dev/fdset/3000000000000000000"); // 19 digits
    }

    @Test
    void insideJsonNamesEveryReferenceIsReplacedAndEscaped() {
        String name = "json:{\"backing\": {\"file\": {\"filename\": \"/dev/fdset/12\"}}, \"file\": "
                + "{\"filename\": \"/dev/fdset/3\"}, \"other\": \"/dev/fdset/3\", \"x\": \"/dev/fdset/7\"}";
        assertThat(renamed(name)).isEqualTo("json:{\"backing\": {\"file\": {\"filename\": "
                + "\"/vm/a \\\"quoted\\\" dir/d.qcow2\"}}, \"file\": {\"filename\": \"/vm/disk0.s1.qcow2\"}, "
                + "\"other\": \"/vm/disk0.s1.qcow2\", \"x\": \"/dev/fdset/7\"}");
    }

    @Test
    void aReplyIsRewrittenInPlaceInItsNameFieldsOnly() {
        JsonNode reply = Json.mapper().createArrayNode().add(Json.mapper().createObjectNode()
                .put("node-name", "/dev/fdset/3").put("filename", "/dev/fdset/3")
                .set("image", Json.mapper().createObjectNode().put("backing-filename", "/dev/fdset/12")));
        FdSets.rename(reply, PATHS);
        assertThat(reply.get(0).path("node-name").asText()).isEqualTo("/dev/fdset/3");
        assertThat(reply.get(0).path("filename").asText()).isEqualTo("/vm/disk0.s1.qcow2");
        assertThat(reply.get(0).path("image").path("backing-filename").asText()).isEqualTo("/vm/a \"quoted\" dir/d.qcow2");
    }
}
