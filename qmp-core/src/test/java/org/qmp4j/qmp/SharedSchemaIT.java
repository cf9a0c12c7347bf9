package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.QemuProcess;

/**
 * Clients on one {@link ClientResources} read the schema once per QEMU binary: a second QEMU of
 * the same binary gets the schema the first one read; a client on its own resources reads its own.
 * With a schema cache directory, a client in another process (here: on resources of its own) reads
 * the file the first one left.
 */
class SharedSchemaIT {
    @TempDir
    Path cacheDir;

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

    @Test
    void aSchemaKeptInAFileAnswersLikeTheOneReadFromQemu() throws IOException {
        try (QemuProcess a = QemuProcess.startMachineNone();
             QemuProcess b = QemuProcess.startMachineNone()) {
            QmpSchema fromQemu;
            try (QmpClient live = QmpClient.connect(b.qmpSocket())) { // a monitor serves one client at a time
                fromQemu = live.schema();
            }
            QmpSchema read;
            try (QmpClient first = QmpClient.connect(cached(a))) {
                read = first.schema();
            }
            try (Stream<Path> files = Files.list(cacheDir)) {
                assertThat(files.map(f -> f.getFileName().toString())).singleElement().asString()
                        .startsWith("schema-").endsWith(".json");
            }
            try (QmpClient second = QmpClient.connect(cached(b))) {
                QmpSchema kept = second.schema();
                assertThat(kept).isNotSameAs(read);
                assertThat(kept.commands()).isEqualTo(fromQemu.commands());
                assertThat(kept.events()).isEqualTo(fromQemu.events());
                assertThat(kept.argumentValues("transaction", "actions.type"))
                        .isEqualTo(fromQemu.argumentValues("transaction", "actions.type"))
                        .contains("blockdev-snapshot");
                assertThat(kept.hasArgument("blockdev-add", "node-name")).isTrue();
            }
        }
    }

    private QmpOptions cached(QemuProcess qemu) {
        return QmpOptions.builder(Endpoint.unix(qemu.qmpSocket())).schemaCacheDirectory(cacheDir).build();
    }

    private static QmpClient connect(QemuProcess qemu, ClientResources resources) {
        return QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket())).resources(resources).build());
    }
}
