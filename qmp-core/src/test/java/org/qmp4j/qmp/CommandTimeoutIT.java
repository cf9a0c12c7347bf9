package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.testkit.QemuProcess;

/**
 * A command whose reply does not come in time fails with {@link CommandTimeoutException}; its
 * late reply is dropped, and the next command gets its own.
 */
class CommandTimeoutIT {
    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static final String VM_NAME = "qmp4j-timeout-it";

    @Test
    void frozenQemuTimesOutOneCommandAndTheNextGetsItsOwnReply() {
        try (QemuProcess qemu = QemuProcess.startMachineNone("-name", VM_NAME);
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            assertThat(client.execute("query-name").path("name").asText()).isEqualTo(VM_NAME);

            qemu.suspend();
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.execute("query-name", null, CommandOptions.timeout(DEADLINE)))
                    .isInstanceOfSatisfying(CommandTimeoutException.class, e -> {
                        assertThat(e.command()).isEqualTo("query-name");
                        assertThat(e.timeout()).isEqualTo(DEADLINE);
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
            assertThat(client.state()).isEqualTo(ConnectionState.READY);

            qemu.resume();
            // QEMU now answers the timed-out query-name first; that reply must not reach query-version.
            JsonNode version = client.execute("query-version");
            assertThat(version.has("name")).isFalse();
            assertThat(version.path("qemu").path("major").asInt()).isEqualTo(client.greeting().version().major());
            assertThat(version.path("qemu").path("minor").asInt()).isEqualTo(client.greeting().version().minor());
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
            assertThat(client.execute("query-name").path("name").asText()).isEqualTo(VM_NAME);
        }
    }
}
