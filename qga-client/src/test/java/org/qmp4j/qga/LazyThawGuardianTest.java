package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.qga.internal.ThawGuardian;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.GuardianProcesses;

/**
 * {@link ThawGuardianTest}'s cases with the lazy guardian of a short-lived controller (the CLI's):
 * it waits as a shell and starts the JVM that thaws only once the controller died with a freeze
 * armed. Each case must hold as it does for the eager one: the kill, the disarm, the terminal's
 * signals, the agent gone.
 */
class LazyThawGuardianTest extends ThawGuardianTest {
    @Override
    List<String> controllerOptions() {
        return List.of("-D" + ThawGuardian.LAZY_PROPERTY + "=true");
    }

    @Test
    void itWaitsAsAShellAndStartsAJvmOnlyToThaw() throws Exception {
        startFrozenChild();
        ProcessHandle guardian = ProcessHandle.of(guardianPid).orElseThrow();
        assertThat(guardian.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("sh"));
        assertThat(guardian.info().arguments().orElseThrow()).contains(ThawGuardian.LAZY_NAME);
        assertThat(GuardianProcesses.isGuardianOf(guardian, child.pid())).isTrue();
        assertThat(guardianJvms()).as("no guardian JVM while the controller lives").isEmpty();

        child.destroyForcibly();
        assertThat(Await.until(() -> state.get().equals("thawed"), Duration.ofSeconds(20))).isTrue();
        assertThat(Await.until(() -> !GuardianProcesses.running(guardianPid), Duration.ofSeconds(10))).isTrue();
    }

    /** Java processes running the guardian's main class for this test's controller. */
    private List<ProcessHandle> guardianJvms() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> GuardianProcesses.isGuardianOf(p, child.pid())).toList();
    }
}
