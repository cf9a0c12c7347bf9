package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.activeNodes;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.GuardianProcesses;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * A group snapshot's controller killed (SIGKILL): with both guests frozen, after the first VM's
 * transaction committed and before the second's was sent; after the group's decision, its thaws
 * on their way; and while it merges the first VM back because the second VM's transaction failed.
 * The guardians thaw both guests; {@code recover} of each VM then takes the group back as a
 * whole (the first VM's overlays merged back) or keeps it as a whole.
 */
class GroupCrashIT {
    private static final TestGuest.Builder GUEST = TestGuest.builder().disks(2).workload(true);

    @RegisterExtension
    final TestGuestExtension a = TestGuestExtension.with(GUEST);
    @RegisterExtension
    final TestGuestExtension b = TestGuestExtension.with(GUEST);

    @TempDir
    Path state;

    private Process controller;

    private long guardian = -1;

    @AfterEach
    void cleanUp() {
        if (controller != null) {
            controller.destroyForcibly();
        }
        if (guardian > 0) {
            ProcessHandle.of(guardian).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, transaction, false, true, -1", "0, thaw, true, false, -1",
            "0, merge job started, false, false, 1"})
    void recoverTakesTheGroupBackOrKeepsItAsAWhole(int vm, String step, boolean kept, boolean bothFrozen, int failVm)
            throws Exception {
        List<TestGuest> guests = List.of(a.guest(), b.guest());
        List<List<String>> nodesBefore = new ArrayList<>();
        List<List<Path>> filesBefore = new ArrayList<>();
        for (TestGuest g : guests) {
            try (QmpClient qmp = QmpClient.connect(g.qmpSocket())) {
                nodesBefore.add(activeNodes(qmp));
            }
            filesBefore.add(files(g));
        }
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GroupCrashingController.class.getName(),
                state.toString(), String.valueOf(vm), step, String.valueOf(failVm)));
        for (TestGuest g : guests) {
            args.add(g.qmpSocket().toString());
            args.add(g.agentSocket().toString());
        }
        controller = new ProcessBuilder(args).redirectError(a.guest().dir().resolve("controller.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(controller.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("AT " + vm + " " + step)) {
            // the steps before
        }
        assertThat(line).as("the controller reached %s of VM %s (see controller.log)", step, vm).isNotNull();
        guardian = GuardianProcesses.of(controller.pid(), Duration.ofSeconds(10)).map(ProcessHandle::pid)
                .orElse(-1L);
        assertThat(guardian).as("the controller's thaw guardian").isPositive();
        Thread.sleep(500); // what was sent before the stop has been done by QEMU meanwhile
        controller.destroyForcibly();
        assertThat(controller.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // the guardian thaws both guests; an agent socket serves one client: wait for it to finish
        long guardianPid = guardian;
        assertThat(Await.until(() -> !GuardianProcesses.running(guardianPid), Duration.ofSeconds(60)))
                .as("the guardian finished").isTrue();
        String log = Files.readString(a.guest().dir().resolve("controller.log"));
        if (bothFrozen) {
            assertThat(log.lines().filter(l -> l.contains("thaw guardian: THAWED")).count()).as(log).isEqualTo(2);
        } // else the thaws were on their way when it died: the guardian thaws what was not confirmed

        for (int i = 0; i < 2; i++) {
            TestGuest g = guests.get(i);
            try (QmpClient qmp = QmpClient.connect(g.qmpSocket());
                 GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(g.agentSocket()))
                         .qmp(qmp).syncOnConnect(false).build())) {
                assertThat(Await.until(() -> ga.fsfreezeStatus() == FreezeStatus.THAWED, Duration.ofSeconds(30)))
                        .as("the guardian thawed VM %s", i).isTrue();
                RecoveryReport report = LiveSnapshots.of(qmp, ga).withStateDirectory(state).recover();
                assertThat(report.problems()).as("problems of VM %s", i).isEmpty();
                if (kept) {
                    assertThat(activeNodes(qmp)).doesNotContainAnyElementsOf(nodesBefore.get(i));
                    assertThat(files(g)).hasSize(filesBefore.get(i).size() + 2);
                } else {
                    assertThat(activeNodes(qmp)).as("VM %s on its own images: %s", i, report.actions())
                            .isEqualTo(nodesBefore.get(i));
                    assertThat(ourNodes(qmp)).isEmpty();
                    assertThat(files(g)).isEqualTo(filesBefore.get(i));
                }
                if (i == 0 && !kept) {
                    assertThat(report.actions()).anyMatch(x -> x.contains("merging it back"));
                }
                if (i == 0 && failVm >= 0) {
                    // the merge the controller had started is finished, the other disk merged back
                    assertThat(report.actions()).anyMatch(x -> x.contains(": completed"))
                            .anyMatch(x -> x.contains("merged overlay"));
                }
                long writes = workloadCounter(ga, "/mnt/vda");
                assertThat(Await.until(() -> workloadCounter(ga, "/mnt/vda") > writes, Duration.ofSeconds(20)))
                        .as("VM %s writes again", i).isTrue();
            }
        }
        // the last member's recover removed the group's decision: nothing of the group is left
        try (Stream<Path> s = Files.list(state)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("group-"));
        }
    }

    private static List<Path> files(TestGuest guest) throws Exception {
        try (Stream<Path> s = Files.list(guest.dir())) {
            return s.filter(p -> {
                String name = p.getFileName().toString();
                return !name.endsWith(".log") && !name.endsWith(".sock");
            }).sorted().toList();
        }
    }
}
