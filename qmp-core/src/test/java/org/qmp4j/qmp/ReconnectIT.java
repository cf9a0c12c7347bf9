package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qmp4j.testkit.QemuProcess;

/**
 * Many short connections one after the other, as a CLI or a poller makes them. A UNIX socket
 * used to be closed by the selector when it was polled between registration and connect (about
 * one connect in ten failed with a closed channel).
 */
class ReconnectIT {
    private static final int CONNECTIONS = 100;

    @Test
    void everyConnectionOfAManySucceeds() {
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            int ok = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                try (QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
                    assertThat(client.queryStatus().status()).as("connection %d", i).isEqualTo("running");
                    ok++;
                }
            }
            assertThat(ok).isEqualTo(CONNECTIONS);
        }
    }
}
