package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * The shared schema cache against fake monitors of one version: what a real QEMU cannot be made
 * to do is report the same version with other commands (another build of it).
 */
class SchemaCacheTest {
    @Test
    void aSecondMonitorWithTheSameCommandsIsNotAskedForItsSchemaOneWithOthersIs() {
        AtomicInteger schemaReads = new AtomicInteger();
        try (ClientResources resources = ClientResources.create();
             FakeQmpPeer first = monitor(List.of("query-status", "blockdev-add"), schemaReads);
             FakeQmpPeer same = monitor(List.of("blockdev-add", "query-status"), schemaReads);
             FakeQmpPeer otherBuild = monitor(List.of("query-status", "blockdev-add", "x-extra"), schemaReads);
             QmpClient a = connect(first, resources);
             QmpClient b = connect(same, resources);
             QmpClient c = connect(otherBuild, resources)) {
            QmpSchema schema = a.schema();
            assertThat(schemaReads).hasValue(1);

            assertThat(b.schema()).isSameAs(schema);
            assertThat(schemaReads).hasValue(1);

            QmpSchema other = c.schema();
            assertThat(schemaReads).hasValue(2);
            assertThat(other.hasCommand("x-extra")).isTrue();
            assertThat(schema.hasCommand("x-extra")).isFalse();
        }
    }

    private static QmpClient connect(FakeQmpPeer peer, ClientResources resources) {
        return QmpClient.connect(QmpOptions.builder(Endpoint.unix(peer.socket())).resources(resources).build());
    }

    /** A monitor whose query-commands and query-qmp-schema list {@code commands}. */
    private static FakeQmpPeer monitor(List<String> commands, AtomicInteger schemaReads) {
        FakeQmpPeer peer = FakeQmpPeer.start();
        ArrayNode list = QmpMessages.MAPPER.createArrayNode();
        ArrayNode schema = QmpMessages.MAPPER.createArrayNode();
        for (String name : commands) {
            list.addObject().put("name", name);
            schema.addObject().put("name", name).put("meta-type", "command").put("arg-type", "0")
                    .put("ret-type", "0");
        }
        schema.addObject().put("name", "0").put("meta-type", "object").putArray("members");
        peer.on("query-commands", req -> List.of(PeerAction.reply(req, list)));
        peer.on("query-qmp-schema", req -> {
            schemaReads.incrementAndGet();
            return List.of(PeerAction.reply(req, schema));
        });
        return peer;
    }
}
