package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.CommandException;
import org.qmp4j.qmp.testing.QemuClientExtension;

/** QMP errors keep QEMU's own class and description (as QEMU 7.2 sends them), and the connection stays usable. */
class ErrorsIT {
    @RegisterExtension
    static final QemuClientExtension QEMU = QemuClientExtension.machineNone();
    private static QmpClient client;

    @BeforeAll
    static void start() {
        client = QEMU.client();
    }


    @AfterEach
    void connectionStillWorks() {
        assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
    }

    @Test
    void unknownCommandIsCommandNotFound() {
        assertThatThrownBy(() -> client.execute("no-such-command"))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.command()).isEqualTo("no-such-command");
                    assertThat(e.errorClass()).isEqualTo("CommandNotFound");
                    assertThat(e.description()).isEqualTo("The command no-such-command has not been found");
                });
    }

    @Test
    void deletingAMissingNodeIsGenericErrorWithQemusDescription() {
        assertThatThrownBy(() -> client.execute("blockdev-del", Map.of("node-name", "no-such-node")))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.description()).isEqualTo("Failed to find node with node-name='no-such-node'");
                });
    }

    @Test
    void deletingAMissingDeviceIsDeviceNotFound() {
        assertThatThrownBy(() -> client.execute("device_del", Map.of("id", "no-such-device")))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("DeviceNotFound");
                    assertThat(e.description()).isEqualTo("Device 'no-such-device' not found");
                });
    }

    @Test
    void unexpectedArgumentIsGenericError() {
        assertThatThrownBy(() -> client.execute("query-status", Map.of("bogus", 1)))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.description()).contains("'bogus'");
                });
    }

    @Test
    void asyncFailureCarriesTheSameCommandException() {
        CompletableFuture<?> reply = client.executeAsync("no-such-command");
        assertThat(reply).failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(CommandException.class,
                        e -> assertThat(e.errorClass()).isEqualTo("CommandNotFound"));
    }
}
