package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.qmp.testing.QemuClientExtension;

/** {@code query-qmp-schema} of a real QEMU 7.2, read through {@link QmpClient#schema()}. */
class SchemaIT {
    @RegisterExtension
    static final QemuClientExtension QEMU = QemuClientExtension.machineNone();
    private static QmpClient client;

    @BeforeAll
    static void start() {
        client = QEMU.client();
    }


    @Test
    void knowsTheCommandsTheSnapshotFlowNeeds() {
        QmpSchema schema = client.schema();
        assertThat(schema.commands()).contains("blockdev-add", "blockdev-del", "transaction", "block-commit",
                "query-status", "job-complete");
        assertThat(schema.hasCommand("blockdev-add")).isTrue();
        assertThat(schema.hasCommand("transaction")).isTrue();
        assertThat(schema.hasCommand("block-commit")).isTrue();
        assertThat(schema.hasCommand("no-such-command")).isFalse();
        // An event is not a command, even though both live in the same schema.
        assertThat(schema.hasEvent("STOP")).isTrue();
        assertThat(schema.hasCommand("STOP")).isFalse();
    }

    @Test
    void knowsArgumentsAndEnumValues() {
        QmpSchema schema = client.schema();
        assertThat(schema.hasArgument("blockdev-add", "node-name")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "no-such-argument")).isFalse();
        assertThat(schema.argumentValues("blockdev-add", "driver")).contains("qcow2", "raw", "file");
        assertThat(schema.argumentValues("blockdev-add", "driver")).doesNotContain("no-such-driver");
        assertThat(schema.hasArgument("block-commit", "auto-dismiss")).isTrue();
        assertThat(schema.hasArgument("block-commit", "job-id")).isTrue();
        assertThat(schema.hasArgument("transaction", "actions.type")).isTrue();
        assertThat(schema.hasArgument("no-such-command", "node-name")).isFalse();
    }

    @Test
    void isReadOnceAndKept() {
        QmpSchema first = client.schema();
        assertThat(client.schema()).isSameAs(first);
        assertThat(client.schemaAsync().join()).isSameAs(first);
    }
}
