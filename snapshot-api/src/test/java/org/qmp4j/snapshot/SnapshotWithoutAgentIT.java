package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.snapshot.SnapshotTesting.activeNodes;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/** A guest without a running agent: PREFERRED goes on unquiesced and says why; REQUIRED changes nothing. */
class SnapshotWithoutAgentIT {
    @RegisterExtension
    static final TestGuestExtension VM = TestGuestExtension.with(TestGuest.builder().disks(2).agent(false));

    private static GuestAgentClient lazyAgent(QmpClient qmp) {
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(VM.guest().agentSocket()))
                .qmp(qmp).syncOnConnect(false).syncTimeout(Duration.ofSeconds(1)).build());
    }

    @Test
    void requiredFailsBeforeAnyFileIsCreated() throws Exception {
        try (QmpClient qmp = QmpClient.connect(VM.guest().qmpSocket()); GuestAgentClient ga = lazyAgent(qmp)) {
            List<String> nodesBefore = activeNodes(qmp);
            List<String> oursBefore = ourNodes(qmp);
            List<Path> filesBefore = files(VM.guest().dir());
            assertThatThrownBy(() -> LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("req")
                    .quiesce(QuiescePolicy.REQUIRED).build()))
                    .isInstanceOfSatisfying(SnapshotFailedException.class, e -> {
                        assertThat(e.step()).isEqualTo("quiesce check");
                        assertThat(e.getMessage()).contains("does not answer");
                        assertThat(e.undone()).isEmpty();
                        assertThat(e.fullyUndone()).isTrue();
                    });
            assertThat(files(VM.guest().dir())).isEqualTo(filesBefore);
            assertThat(activeNodes(qmp)).isEqualTo(nodesBefore);
            assertThat(ourNodes(qmp)).isEqualTo(oursBefore);

            assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("req2")
                    .quiesce(QuiescePolicy.REQUIRED).build()))
                    .isInstanceOf(SnapshotFailedException.class).hasMessageContaining("no guest agent connection");
            assertThat(files(VM.guest().dir())).isEqualTo(filesBefore);
        }
    }

    @Test
    void preferredGoesOnUnquiescedAndSaysWhy() {
        try (QmpClient qmp = QmpClient.connect(VM.guest().qmpSocket()); GuestAgentClient ga = lazyAgent(qmp)) {
            SnapshotResult result = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("pref").build());
            assertThat(result.quiesced()).isFalse();
            assertThat(result.quiesceSkippedReason()).isEqualTo("the guest agent does not answer");
            assertThat(result.frozenFilesystems()).isZero();
            assertThat(result.disks()).extracting(DiskSnapshot::device).containsExactly("vd0", "vd1");
            assertThat(activeNodes(qmp)).containsExactlyElementsOf(
                    result.disks().stream().map(DiskSnapshot::overlayNode).toList());
            assertThat(result.disks()).allSatisfy(d -> assertThat(d.overlay().getFileName().toString())
                    .isEqualTo(d.base().getFileName().toString().replace(".qcow2", ".pref.qcow2")));
        }
    }

    @Test
    void disksThatCannotBeSnapshottedAreRefusedByName() throws Exception {
        try (QmpClient qmp = QmpClient.connect(VM.guest().qmpSocket())) {
            assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("x").disk("nope").build()))
                    .isInstanceOf(SnapshotFailedException.class)
                    .hasMessageContaining("no disk named 'nope'").hasMessageContaining("vd0");
            assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("../evil").build()))
                    .isInstanceOf(SnapshotFailedException.class).hasMessageContaining("not safe");
            Path taken = VM.guest().disks().get(1).resolveSibling("disk1.taken.qcow2");
            try {
                Files.writeString(taken, "someone else's");
                assertThatThrownBy(() -> LiveSnapshots.of(qmp).take(SnapshotRequest.builder("taken").build()))
                        .isInstanceOf(SnapshotFailedException.class).hasMessageContaining("already exists");
                assertThat(taken).hasContent("someone else's");
            } finally {
                deleteQuietly(taken);
            }
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (Exception ignored) {
            // temp dir is removed with the guest anyway
        }
    }
}
