package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;
import static org.qmp4j.snapshot.SnapshotTesting.sh;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
 * The crash matrix: a controller in a JVM of its own takes a quiesced snapshot (or a memory
 * snapshot, or a merge) of a guest under write load and is killed with SIGKILL at one point of the
 * flow. After each: the guardian thawed the guest, {@code recover} leaves no node and no file of
 * ours (or the complete snapshot, if its transaction had committed), the VM runs and writes on a
 * coherent chain, and a following quiesced snapshot is clean ext4. The matrix is printed at the end.
 */
class CrashMatrixIT {
    private static final Map<String, String> MATRIX = new TreeMap<>();

    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    private Process controller;
    private long guardianPid = -1;

    /** Where the controller dies, and how it gets there. */
    enum Point {
        AFTER_OVERLAY_FILE("overlay file created", -1, false, false),
        AFTER_BLOCKDEV_ADD("file node added", -1, false, false),
        AFTER_BLOCKDEV_CREATE("image created", -1, false, false),
        DURING_SLOW_FREEZE("freeze", 1500, false, true),
        FROZEN_BEFORE_TRANSACTION("transaction", -1, false, true),
        TRANSACTION_SENT_NO_REPLY("transaction", 600, true, true),
        /** The thaw goes out with the transaction's reply; the guest's hook holds back its answer 4 s. */
        THAW_SENT_NO_REPLY("thaw", -1, false, true),
        DURING_MEMORY_SNAPSHOT("save memory", 150, false, false),
        DURING_MERGE("merge job started", -1, false, false);

        final String step;
        /** -1: killed while held at the step; otherwise let go on, killed this many ms later. */
        final long killAfterMillis;
        /** QEMU stopped while the controller goes on: its next command gets no reply. */
        final boolean qemuStopped;
        /** Whether a freeze is armed when the controller dies: the guardian must thaw. */
        final boolean frozen;

        Point(String step, long killAfterMillis, boolean qemuStopped, boolean frozen) {
            this.step = step;
            this.killAfterMillis = killAfterMillis;
            this.qemuStopped = qemuStopped;
            this.frozen = frozen;
        }
    }

    @AfterEach
    void cleanUp() {
        if (controller != null) {
            controller.destroyForcibly();
        }
        if (guardianPid > 0) {
            ProcessHandle.of(guardianPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @AfterAll
    static void printMatrix() {
        System.out.println("crash matrix (point: outcome)");
        MATRIX.forEach((point, outcome) -> System.out.println("  " + point + ": " + outcome));
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void aControllerKilledAtThisPointLeavesAWholeVm(Point point) throws Exception {
        TestGuest guest = vm.guest();
        Path state = guest.dir().resolve("state");
        List<Path> filesBefore = files(guest);
        String op = "snapshot";
        String arg = "crash";
        try (GuestAgentClient ga = agent(guest, null)) {
            awaitWorkload(ga);
            if (point == Point.DURING_SLOW_FREEZE) {
                sh(ga, "echo 4 > /run/qmp4j-freeze-delay"); // the guest's freeze hook sleeps 4 s
            }
            if (point == Point.THAW_SENT_NO_REPLY) {
                sh(ga, "echo 4 > /run/qmp4j-thaw-delay"); // thawed, but the reply comes 4 s later
            }
        }
        if (point == Point.DURING_MEMORY_SNAPSHOT) {
            op = "memory";
            arg = guest.dir().resolve("crash.mem").toString();
        }
        if (point == Point.DURING_MERGE) {
            // a snapshot to merge, taken by this JVM, and a few seconds of writes into its overlays
            try (QmpClient qmp = QmpClient.connect(guest.qmpSocket()); GuestAgentClient ga = agent(guest, qmp)) {
                LiveSnapshots.of(qmp, ga).withStateDirectory(state).take(SnapshotRequest.builder("m")
                        .quiesce(QuiescePolicy.REQUIRED).build());
            }
            Thread.sleep(3000);
            filesBefore = files(guest);
            op = "merge";
            arg = "vd0";
        }

        long killedAt = runAndKill(guest, state, op, arg, point);

        String thawed = guardianReport(guest, killedAt, point.frozen);
        // without a sync on connect: a VM the controller paused cannot answer until recover resumes it
        try (QmpClient qmp = QmpClient.connect(guest.qmpSocket()); GuestAgentClient ga = GuestAgentClient.connect(
                GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket())).qmp(qmp).syncOnConnect(false).build())) {
            LiveSnapshots snapshots = LiveSnapshots.of(qmp, ga).withStateDirectory(state);

            assertThatThrownBy(() -> snapshots.take(SnapshotRequest.builder("refused").build()))
                    .as("no snapshot while a record is unfinished").isInstanceOf(SnapshotFailedException.class)
                    .hasMessageContaining("run recover");

            RecoveryReport report = snapshots.recover();
            assertThat(ga.fsfreezeStatus()).as("thawed").isEqualTo(FreezeStatus.THAWED);
            assertThat(report.problems()).as("problems").isEmpty();
            assertThat(report.unrecordedNodes()).as("unrecorded nodes").isEmpty();
            assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("running");
            boolean completed = report.actions().stream().anyMatch(a -> a.contains("transaction had committed")
                    || a.contains(": completed"));
            List<Path> filesAfter = files(guest);
            List<String> nodes = ourNodes(qmp);
            if (point == Point.DURING_MERGE) {
                // the job the controller left is finished: the disk is on its base, no file changed
                assertThat(report.actions()).anyMatch(a -> a.contains(": completed"));
                assertThat(nodes).hasSize(2); // vd1's overlay (a qcow2 and a file node) is still in use
                assertThat(filesAfter).isEqualTo(filesBefore);
            } else if (completed) {
                assertThat(nodes).hasSize(4); // the snapshot's two overlays, each a qcow2 and a file node
                assertThat(filesAfter).containsAll(filesBefore).hasSize(filesBefore.size() + 2);
            } else {
                assertThat(nodes).as("nodes of ours").isEmpty();
                assertThat(filesAfter).as("files beside the images").isEqualTo(filesBefore);
            }
            long writes = workloadCounter(ga, "/mnt/vda");
            assertThat(Await.until(() -> workloadCounter(ga, "/mnt/vda") > writes, Duration.ofSeconds(20)))
                    .as("the guest writes again").isTrue();

            SnapshotResult after = snapshots.take(SnapshotRequest.builder("after").quiesce(QuiescePolicy.REQUIRED)
                    .build());
            assertThat(after.quiesced()).isTrue();
            for (DiskSnapshot disk : after.disks()) {
                Ext4Image fs = Ext4Image.check(disk.base(), guest.dir());
                assertThat(fs.clean()).as("%s: %s", disk.base(), fs.fsckOutput()).isTrue();
            }
            String outcome = (completed ? "completed" : "rolled back") + "; " + thawed
                    + "; recover: " + String.join(" / ", report.actions());
            MATRIX.put(point.ordinal() + " " + point, outcome);
            System.out.println("crash at " + point + ": " + outcome);
        }
    }

    /** Runs the controller to {@code point}, kills it there; returns the kill's time (nanoTime). */
    private long runAndKill(TestGuest guest, Path state, String op, String arg, Point point) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        controller = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashingController.class.getName(), guest.qmpSocket().toString(), guest.agentSocket().toString(),
                state.toString(), op, arg, point.step)
                .redirectError(guest.dir().resolve("controller.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(controller.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("AT " + point.step)) {
            if (line.startsWith("GUARDIAN ")) {
                guardianPid = Long.parseLong(line.substring(9));
            }
        }
        assertThat(line).as("the controller reached %s (see %s)", point.step, guest.dir().resolve("controller.log"))
                .isNotNull();
        if (point.killAfterMillis >= 0) {
            if (point.qemuStopped) {
                guest.qemu().suspend();
            }
            controller.getOutputStream().write("GO\n".getBytes(StandardCharsets.UTF_8));
            controller.getOutputStream().flush();
            Thread.sleep(point.killAfterMillis);
        }
        long killedAt = System.nanoTime();
        controller.destroyForcibly();
        assertThat(controller.waitFor(10, TimeUnit.SECONDS)).isTrue();
        if (point.qemuStopped) {
            guest.qemu().resume();
        }
        return killedAt;
    }

    /** Waits for the guardian to finish and returns what it said about the thaw. */
    private String guardianReport(TestGuest guest, long killedAt, boolean frozen) throws IOException {
        assertThat(guardianPid).as("the controller's guardian").isPositive();
        boolean gone = Await.until(() -> !GuardianProcesses.running(guardianPid), Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(gone).as("the guardian finished").isTrue();
        String log = Files.readString(guest.dir().resolve("controller.log"));
        String thaw = log.lines().filter(l -> l.contains("thaw guardian: THAWED") || l.contains("MAY STILL"))
                .findFirst().orElse("");
        if (!frozen) {
            assertThat(thaw).as("nothing was armed: %s", log).isEmpty();
            return "guardian: nothing armed (exited after " + ms + " ms)";
        }
        assertThat(thaw).as("guardian's report in %s", log).contains("THAWED");
        return "guardian: " + thaw.replaceAll(".*confirmed ", "thaw confirmed ") + " (exited after " + ms + " ms)";
    }

    private static GuestAgentClient agent(TestGuest guest, QmpClient qmp) {
        GuestAgentOptions.Builder b = GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket()))
                .connectTimeout(Duration.ofSeconds(30)).syncTimeout(Duration.ofSeconds(10));
        if (qmp != null) {
            b.qmp(qmp);
        }
        return GuestAgentClient.connect(b.build());
    }

    private static void awaitWorkload(GuestAgentClient ga) {
        assertThat(Await.until(() -> workloadCounter(ga, "/mnt/vda") >= 3 && workloadCounter(ga, "/mnt/vdb") >= 3,
                Duration.ofSeconds(30))).as("the guest's write workload runs").isTrue();
    }

    private static List<Path> files(TestGuest guest) throws IOException {
        try (Stream<Path> s = Files.list(guest.dir())) {
            return new ArrayList<>(s.filter(p -> {
                String name = p.getFileName().toString();
                return !name.endsWith(".log") && !name.equals("state") && !name.endsWith(".sock");
            }).sorted().toList());
        }
    }
}
