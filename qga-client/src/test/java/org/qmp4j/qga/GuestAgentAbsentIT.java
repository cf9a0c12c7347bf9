package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * A guest with the agent channel but no agent running: writes to the socket succeed, nothing
 * answers. Every way in must say "absent" within its deadline, never hang.
 */
class GuestAgentAbsentIT {
    @RegisterExtension
    static final TestGuestExtension VM = TestGuestExtension.with(TestGuest.builder().agent(false));

    private GuestAgentOptions.Builder options() {
        return GuestAgentOptions.builder(Endpoint.unix(VM.guest().agentSocket()))
                .syncTimeout(Duration.ofMillis(1500));
    }

    @Test
    void connectWithQmpSaysAbsentAtOnceFromTheClosedChannel() {
        try (QmpClient qmp = QmpClient.connect(VM.guest().qmpSocket())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> GuestAgentClient.connect(options().qmp(qmp).build()))
                    .isInstanceOf(GuestAgentAbsentException.class)
                    .hasMessageContaining("not opened the agent channel");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void connectWithoutQmpSaysAbsentWhenTheSyncDeadlinePasses() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> GuestAgentClient.connect(options().build()))
                .isInstanceOf(GuestAgentAbsentException.class)
                .hasMessageContaining("within 1500 ms");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(5));
    }

    @Test
    void presenceCheckAndFreezeSayAbsentWithinTheirDeadline() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().syncOnConnect(false).build())) {
            long start = System.nanoTime();
            assertThat(ga.isPresent()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            AgentReadiness readiness = ga.readiness(AgentReadiness.FREEZE_COMMANDS);
            assertThat(readiness.present()).isFalse();
            assertThat(readiness.obstacle()).isEqualTo("the guest agent does not answer");

            start = System.nanoTime();
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.defaults()))
                    .isInstanceOf(GuestAgentAbsentException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
