package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ConnectTimeoutException;
import org.qmp4j.core.ConnectionFailedException;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.QemuProcess;

/** A QMP socket serves one client at a time: a second one gets no greeting until the first leaves. */
class SecondClientIT {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Generous: the point is that the 1 s deadline ends the attempt, not how exactly. */
    private static final Duration PROMPT = Duration.ofSeconds(10);

    @Test
    void secondClientTimesOutUntilTheFirstLeaves() {
        try (QemuProcess qemu = QemuProcess.startMachineNone()) {
            QmpOptions secondOptions = QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                    .connectTimeout(CONNECT_TIMEOUT).build();
            try (QmpClient first = QmpClient.connect(qemu.qmpSocket())) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> QmpClient.connect(secondOptions).close())
                        .isInstanceOf(ConnectionFailedException.class)
                        .hasMessageContaining("not ready within " + CONNECT_TIMEOUT.toMillis() + " ms")
                        .isInstanceOf(ConnectTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);

                assertThat(first.queryStatus().running()).as("first client unaffected").isTrue();
            }
            try (QmpClient next = QmpClient.connect(secondOptions.toBuilder().connectTimeout(PROMPT).build())) {
                assertThat(next.greeting().offers("oob")).isTrue();
                assertThat(next.queryStatus().running()).isTrue();
            }
        }
    }
}
