package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.testing.QemuProcess;

/**
 * What QEMU sends right before it closes the socket must still arrive: {@code quit} answers, emits
 * SHUTDOWN, then exits.
 */
class QuitIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @Disabled("known qmp-core bug: junixsocket's selector closes a channel as soon as poll reports POLLHUP, "
            + "before Netty reads what is still buffered, so the quit reply and SHUTDOWN are usually lost "
            + "(about 3 runs in 4 on QEMU 7.2); enable once the transport reads to EOF")
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
