package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.QemuProcess;

/**
 * Clients on one {@link ClientResources} read the schema once per QEMU binary: a second QEMU of
 * the same binary gets the schema the first one read; a client on its own resources reads its own.
 */
class SharedSchemaIT {
    @Test
    void connectionsToTheSameBinaryShareOneSchema() {
        try (ClientResources resources = ClientResources.create();
             QemuProcess a = QemuProcess.startMachineNone();
             QemuProcess b = QemuProcess.startMachineNone();
             QemuProcess c = QemuProcess.startMachineNone();
             QmpClient first = connect(a, resources);
             QmpClient second = connect(b, resources);
             QmpClient alone = QmpClient.connect(c.qmpSocket())) {
            QmpSchema schema = first.schema();
            assertThat(second.schema()).isSameAs(schema);
            assertThat(second.schema().hasArgument("blockdev-add", "node-name")).isTrue();

            QmpSchema own = alone.schema();
            assertThat(own).isNotSameAs(schema);
            assertThat(own.commands()).isEqualTo(schema.commands());
        }
    }

    private static QmpClient connect(QemuProcess qemu, ClientResources resources) {
        return QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket())).resources(resources).build());
    }
}
