package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.testkit.QemuProcess;

/**
 * QEMU answers {@code quit} and hangs up at once, often before the client read the reply. The
 * reply must still arrive: the hang-up used to win about half of the time (repeated because the
 * loss was a race).
 */
class QuitReplyIT {
    @RepeatedTest(10)
    void quitGetsItsReplyAlthoughQemuHangsUpRightAfter() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            JsonNode reply = client.execute("quit");

            assertThat(reply.isObject()).isTrue();
            assertThat(reply.size()).isZero();
            assertThat(qemu.process().waitFor(10, TimeUnit.SECONDS)).as("QEMU exited").isTrue();
            client.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        }
    }
}
