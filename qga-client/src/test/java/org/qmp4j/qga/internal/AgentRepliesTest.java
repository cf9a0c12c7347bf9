package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qga.AgentInfo;
import org.qmp4j.qga.FsInfo;

/** The agent's replies read by hand must read as Jackson's data binding reads them. */
class AgentRepliesTest {
    @Test
    void guestInfoReadsAsJacksonReadsIt() throws Exception {
        JsonNode reply = tree("{\"version\":\"7.2.22\",\"supported_commands\":["
                + "{\"enabled\":true,\"name\":\"guest-fsfreeze-freeze\",\"success-response\":true},"
                + "{\"enabled\":false,\"name\":\"guest-exec\",\"success-response\":true},"
                + "{\"enabled\":true,\"name\":\"guest-shutdown\",\"success-response\":false,\"new\":1}]}");
        AgentInfo info = AgentReplies.info(reply);
        assertThat(info).isEqualTo(Json.mapper().treeToValue(reply, AgentInfo.class));
        assertThat(info.supports("guest-fsfreeze-freeze")).isTrue();
        assertThat(info.supports("guest-exec")).isFalse();

        JsonNode bare = tree("{\"version\":\"1\"}");
        assertThat(AgentReplies.info(bare)).isEqualTo(Json.mapper().treeToValue(bare, AgentInfo.class));
        assertThat(AgentReplies.info(bare).commands()).isEmpty();
    }

    @Test
    void fsInfoReadsAsJacksonReadsIt() throws Exception {
        JsonNode reply = tree("[{\"name\":\"vda\",\"mountpoint\":\"/mnt/d0\",\"type\":\"ext4\",\"used-bytes\":1048576,"
                + "\"total-bytes\":8388608,\"disk\":[{\"dev\":\"/dev/vda\",\"bus-type\":\"virtio\",\"serial\":\"d0\","
                + "\"bus\":0,\"pci-controller\":{\"domain\":0}}]},{\"name\":\"tmpfs\",\"mountpoint\":\"/run\",\"type\":\"tmpfs\","
                + "\"disk\":[]},{\"name\":\"x\",\"mountpoint\":\"/x\",\"type\":\"xfs\"}]");
        List<FsInfo> ours = AgentReplies.fsInfo(reply);
        assertThat(ours).isEqualTo(List.of(Json.mapper().treeToValue(reply, FsInfo[].class)));
        assertThat(ours.get(0).disks()).extracting(FsInfo.Disk::busType).containsExactly("virtio");
        assertThat(ours.get(2).disks()).isEmpty();
    }

    @Test
    void aHostileReplyIsTheAgentsProtocolError() throws IOException {
        assertThatThrownBy(() -> Json.decode("guest-info", tree("{\"supported_commands\":{\"a\":1}}"), AgentReplies::info))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("supported_commands");
        assertThatThrownBy(() -> Json.decode("guest-get-fsinfo", tree("[[1]]"), AgentReplies::fsInfo))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("guest-get-fsinfo");
        assertThatThrownBy(() -> Json.decode("guest-get-fsinfo", tree("[{\"used-bytes\":1e400}]"), AgentReplies::fsInfo))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("used-bytes");
    }

    private static JsonNode tree(String text) throws IOException {
        return JsonTrees.read(Json.FACTORY, text);
    }
}
