package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.AgentReadiness;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * A guest whose qemu-ga blocks the freeze ({@code -b guest-fsfreeze-freeze}, as some distributions
 * ship it): the snapshot says so by name before anything is created. REQUIRED fails; PREFERRED
 * goes on crash-consistent with that reason.
 */
class AgentBlockListIT {
    @RegisterExtension
    static final TestGuestExtension VM = TestGuestExtension.with(TestGuest.builder().disks(1)
            .agentBlocked("guest-fsfreeze-freeze"));

    @Test
    void aBlockedFreezeIsNamedBeforeAnythingChanges() throws Exception {
        try (QmpClient qmp = QmpClient.connect(VM.guest().qmpSocket());
             GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                     Endpoint.unix(VM.guest().agentSocket())).qmp(qmp).build())) {
            assertThat(ga.info().unavailable(List.of("guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-nonsense")))
                    .containsExactly("guest-fsfreeze-freeze is disabled in this guest's agent",
                            "guest-nonsense is unknown to this guest's agent");
            AgentReadiness readiness = ga.readiness(AgentReadiness.FREEZE_COMMANDS);
            assertThat(readiness.present()).isTrue();
            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.unavailable()).containsExactly("guest-fsfreeze-freeze is disabled in this guest's agent");
            assertThat(ga.readiness(List.of("guest-ping", "guest-fsfreeze-thaw")).ready()).isTrue();
            List<Path> before = files();
            LiveSnapshots snapshots = LiveSnapshots.of(qmp, ga);

            SnapshotFailedException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotFailedException.class,
                    () -> snapshots.take(SnapshotRequest.builder("req").quiesce(QuiescePolicy.REQUIRED).build()));
            assertThat(e.getMessage()).contains("guest-fsfreeze-freeze is disabled in this guest's agent");
            assertThat(e.fullyUndone()).isTrue();
            assertThat(files()).isEqualTo(before);
            assertThat(ourNodes(qmp)).isEmpty();

            SnapshotResult preferred = snapshots.take(SnapshotRequest.builder("pref").build());
            assertThat(preferred.quiesced()).isFalse();
            assertThat(preferred.quiesceSkippedReason()).isEqualTo("guest-fsfreeze-freeze is disabled in this guest's agent");
        }
    }

    private static List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(VM.guest().dir())) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }
}
