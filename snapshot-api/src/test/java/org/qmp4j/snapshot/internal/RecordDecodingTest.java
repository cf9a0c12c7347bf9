package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonFields;

/**
 * qmp4j reads QEMU's block and job replies into its records by hand (no data binding on the
 * snapshot path); what it reads must be what Jackson's data binding reads from the same replies.
 */
class RecordDecodingTest {
    @Test
    void blockDevicesAndNodesAreReadAsJacksonReadsThem() throws Exception {
        for (String name : List.of("mixed", "commit-ready")) {
            JsonNode block = fixture(name + "-block");
            assertThat(JsonFields.elements(block, BlockInfo::from)).as(name)
                    .isEqualTo(Arrays.asList(Json.mapper().treeToValue(block, BlockInfo[].class)))
                    .isNotEmpty();
            JsonNode nodes = fixture(name + "-nodes");
            assertThat(JsonFields.elements(nodes, BlockNodeInfo::from)).as(name)
                    .isEqualTo(Arrays.asList(Json.mapper().treeToValue(nodes, BlockNodeInfo[].class)))
                    .isNotEmpty();
        }
    }

    @Test
    void jobsAreReadAsJacksonReadsThem() throws Exception {
        JsonNode jobs = JsonTrees.read(Json.FACTORY, "[{\"current-progress\":3,\"status\":\"concluded\",\"total-progress\":"
                + "9007199254740993,\"type\":\"create\",\"id\":\"q4j-1-mk\",\"error\":\"No space left\"},"
                + "{\"id\":\"j2\",\"type\":\"commit\",\"status\":\"running\",\"new-field\":[1]}]");
        assertThat(JsonFields.elements(jobs, JobInfo::from))
                .isEqualTo(Arrays.asList(Json.mapper().treeToValue(jobs, JobInfo[].class)))
                .extracting(JobInfo::totalProgress).containsExactly(9007199254740993L, 0L);
    }

    @Test
    void aReplyOfTheWrongShapeIsTheProtocolErrorOfItsCommand() throws IOException {
        JsonNode notAList = JsonTrees.read(Json.FACTORY, "{\"device\":\"x\"}");
        assertThatThrownBy(() -> Json.decode("query-block", notAList, r -> JsonFields.elements(r, BlockInfo::from)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("query-block");
        JsonNode badDepth = JsonTrees.read(Json.FACTORY, "[{\"node-name\":\"n\",\"backing_file_depth\":\"deep\"}]");
        assertThatThrownBy(() -> Json.decode("query-named-block-nodes", badDepth,
                r -> JsonFields.elements(r, BlockNodeInfo::from)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("backing_file_depth");
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = RecordDecodingTest.class.getResourceAsStream("qemu-7.2/" + name + ".json")) {
            assertThat(in).as(name).isNotNull();
            return JsonTrees.read(Json.FACTORY, in);
        }
    }
}
