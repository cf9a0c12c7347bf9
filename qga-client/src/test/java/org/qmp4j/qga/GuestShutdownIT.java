package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/** {@code guest-shutdown} never replies: the call completes when the guest is gone. */
class GuestShutdownIT {
    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(0));

    @Test
    void shutdownCompletesWhenTheVmGoesAway() throws Exception {
        try (GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                Endpoint.unix(vm.guest().agentSocket())).commandTimeout(Duration.ofSeconds(30)).build())) {
            long start = System.nanoTime();
            ga.shutdown(ShutdownMode.POWERDOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
        // -no-reboot + power-off: QEMU itself exits.
        assertThat(vm.guest().qemu().process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
}
