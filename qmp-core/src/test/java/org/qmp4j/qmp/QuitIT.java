package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.qmp4j.testkit.QemuProcess;

/**
 * What QEMU sends right before it closes the socket must still arrive: {@code quit} answers, emits
 * SHUTDOWN, then exits.
 */
class QuitIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void quitIsAnsweredAndShutdownArrivesBeforeTheEof() {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(qemu.qmpSocket());
             EventSubscription shutdown = client.subscribe(EventFilter.names("SHUTDOWN"))) {
            assertThat(client.execute("quit")).isEmpty();
            Optional<QmpEvent> event = shutdown.poll(WAIT);
            assertThat(event).isPresent();
            assertThat(event.get().data("reason").asText()).isEqualTo("host-qmp-quit");
            assertThat(client.closeFuture()).succeedsWithin(WAIT);
        }
    }
}
