package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.activeNodes;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;
import static org.qmp4j.snapshot.SnapshotTesting.sh;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.SnapshotFlow;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * Failure injection at each step of a quiesced snapshot of a guest under write load. After each:
 * the guest is thawed (when it still runs), no node or file of ours is left, and the VM still
 * writes to its original images.
 */
class SnapshotFailureIT {
    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    private QmpClient qmp;
    private GuestAgentClient ga;
    private List<String> originalNodes;
    private List<Path> filesBefore;

    @BeforeEach
    void connect() throws Exception {
        qmp = QmpClient.connect(vm.guest().qmpSocket());
        ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(vm.guest().agentSocket()))
                .qmp(qmp).thawTimeout(Duration.ofSeconds(3)).build());
        originalNodes = activeNodes(qmp);
        filesBefore = files();
    }

    @AfterEach
    void disconnect() {
        try {
            ga.close();
        } finally {
            qmp.close();
        }
    }

    private SnapshotRequest request(String name) {
        return SnapshotRequest.builder(name).quiesce(QuiescePolicy.REQUIRED).build();
    }

    private SnapshotFailedException fail(String name, SnapshotFlow.Hooks hooks) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> new SnapshotFlow(qmp, ga, request(name), hooks).run());
        assertThat(t).isInstanceOf(SnapshotFailedException.class);
        return (SnapshotFailedException) t;
    }

    private void assertNothingLeftAndStillWriting() throws Exception {
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        assertThat(ourNodes(qmp)).isEmpty();
        assertThat(activeNodes(qmp)).isEqualTo(originalNodes);
        assertThat(files()).isEqualTo(filesBefore);
        long before = workloadCounter(ga, "/mnt/vda");
        Thread.sleep(1500);
        assertThat(workloadCounter(ga, "/mnt/vda")).isGreaterThan(before);
    }

    @Test
    void overlayCreationFailsForTheSecondDisk() throws Exception {
        Path blocker = vm.guest().disks().get(1).resolveSibling("disk1.oc.qcow2");
        SnapshotFailedException e = fail("oc", step -> {
            if (step.equals("create overlays")) {
                write(blocker, "appeared after preflight"); // someone else's file, not ours to delete
            }
        });
        assertThat(e.step()).isEqualTo("create overlays");
        assertThat(e.getMessage()).contains("already exists");
        assertThat(e.fullyUndone()).isTrue();
        assertThat(e.undone()).anyMatch(u -> u.startsWith("file ") && u.contains("disk0.oc.qcow2"));
        assertThat(blocker).hasContent("appeared after preflight");
        Files.delete(blocker);
        assertNothingLeftAndStillWriting();
    }

    @Test
    void transactionFailsBecauseANodeVanished() throws Exception {
        SnapshotFailedException e = fail("vanish", step -> {
            if (step.equals("freeze")) {
                String overlay = ourNodes(qmp).stream().filter(n -> !n.endsWith("-f")).findFirst().orElseThrow();
                qmp.execute("blockdev-del", Map.of("node-name", overlay));
            }
        });
        assertThat(e.step()).isEqualTo("transaction");
        assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
        assertNothingLeftAndStillWriting();
    }

    @Test
    void theAgentDiesWhileTheGuestIsFrozen() throws Exception {
        SnapshotFailedException e = fail("agentdies", step -> {
            if (step.equals("freeze")) {
                // Kills qemu-ga in a second, from inside the guest (the frozen agent runs no exec);
                // the guest's init restarts it, and the thaw must get through to the new one.
                sh(ga, "(sleep 1; kill -9 $(cat /run/qemu-ga.pid)) >/dev/null 2>&1 </dev/null &");
            }
            if (step.equals("transaction")) {
                // Inside the freeze window: the agent dies (after 1 s) and its successor starts (about
                // 1.3 s later) meanwhile, so the thaw must reach the new agent.
                sleep(4000);
                throw new IllegalStateException("injected: transaction not sent");
            }
        });
        assertThat(e.step()).isEqualTo("transaction");
        assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
        assertNothingLeftAndStillWriting();
    }

    /** A REQUIRED snapshot whose guest the watchdog thawed before the switch is not taken at all. */
    @Test
    void theWatchdogThawsBeforeTheSwitch() throws Exception {
        SnapshotRequest request = SnapshotRequest.builder("watchdog").quiesce(QuiescePolicy.REQUIRED)
                .maxFreeze(Duration.ofSeconds(1)).build();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> new SnapshotFlow(qmp, ga, request, step -> {
            if (step.equals("transaction")) {
                sleep(2500); // a stalled controller inside the freeze window
            }
        }).run());
        assertThat(t).isInstanceOf(SnapshotFailedException.class);
        SnapshotFailedException e = (SnapshotFailedException) t;
        assertThat(e.step()).isEqualTo("transaction");
        assertThat(e.getMessage()).contains("watchdog thawed the guest", "would not be quiesced");
        assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
        assertNothingLeftAndStillWriting();
    }

    @Test
    void qemuDiesMidTransaction() throws Exception {
        SnapshotFailedException e = fail("qemudies", step -> {
            if (step.equals("transaction")) {
                vm.guest().qemu().kill();
            }
        });
        assertThat(e.step()).isEqualTo("transaction");
        // Every overlay file is gone (no QEMU holds them); the nodes died with QEMU.
        assertThat(files()).isEqualTo(filesBefore);
        assertThat(e.undone()).anyMatch(u -> u.startsWith("file "));
        assertThat(e.notUndone()).anyMatch(u -> u.contains("QMP connection lost"));
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(vm.guest().dir())) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
