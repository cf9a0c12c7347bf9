package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.FakeQmpPeer;

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

    private static FakeQmpPeer monitor(List<String> commands, AtomicInteger schemaReads) {
        return SchemaMonitors.start(commands, schemaReads);
    }
}
