package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.testing.QemuProcess;

class SmokeIT {
    @Test
    void connectsAndQueriesStatus() {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            System.out.println(client.greeting());
            StatusInfo status = client.queryStatus();
            System.out.println(status);
            assertThat(status.status()).isNotEmpty();
        }
    }
}
