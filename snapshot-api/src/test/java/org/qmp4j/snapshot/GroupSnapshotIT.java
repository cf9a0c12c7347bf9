package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.qmp4j.snapshot.SnapshotTesting.activeNodes;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;
import static org.qmp4j.snapshot.SnapshotTesting.sh;
import static org.qmp4j.snapshot.SnapshotTesting.workloadCounter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.GroupSnapshotFlow;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * Group snapshots of three real guests that write to both their disks all the time: quiesced
 * together, every base clean, and failure injection in one VM at each step, after which every VM
 * is on its original images, every guest is thawed and still writing, and nothing of ours is left.
 * The guests are booted once for the class; each test compares with what it found at its start.
 */
class GroupSnapshotIT {
    private static final TestGuest.Builder GUEST = TestGuest.builder().disks(2).workload(true);

    @RegisterExtension
    static final TestGuestExtension A = TestGuestExtension.with(GUEST);
    @RegisterExtension
    static final TestGuestExtension B = TestGuestExtension.with(GUEST);
    @RegisterExtension
    static final TestGuestExtension C = TestGuestExtension.with(GUEST);

    @TempDir
    Path state;

    private final List<Vm> vms = new ArrayList<>();

    /** One guest's connections and what it looked like before the test. */
    private record Vm(TestGuest guest, QmpClient qmp, GuestAgentClient ga, List<String> nodes, List<String> ours,
                      List<Path> files) {
        GroupMember member() {
            return GroupMember.of(qmp, ga);
        }
    }

    @BeforeEach
    void connect() throws Exception {
        for (TestGuestExtension e : List.of(A, B, C)) {
            QmpClient qmp = QmpClient.connect(e.guest().qmpSocket());
            GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(
                    Endpoint.unix(e.guest().agentSocket())).qmp(qmp).build());
            vms.add(new Vm(e.guest(), qmp, ga, activeNodes(qmp), ourNodes(qmp), files(e.guest())));
            awaitWorkload(ga);
        }
    }

    @AfterEach
    void disconnect() {
        for (Vm vm : vms) {
            try {
                vm.ga().close();
            } finally {
                vm.qmp().close();
            }
        }
    }

    private GroupSnapshotRequest.Builder request(String name, int count) {
        GroupSnapshotRequest.Builder b = GroupSnapshotRequest.builder(SnapshotRequest.builder(name)
                .quiesce(QuiescePolicy.REQUIRED).freezeTimeout(Duration.ofSeconds(5)).build());
        vms.subList(0, count).forEach(vm -> b.vm(vm.member()));
        return b;
    }

    @Test
    void twoGuestsAreFrozenTogetherAndEveryBaseIsClean() throws Exception {
        GroupSnapshotResult result = GroupSnapshots.create().withStateDirectory(state)
                .take(request("pair", 2).build());
        assertThat(result.name()).isEqualTo("pair");
        assertThat(result.vms()).hasSize(2);
        assertThat(result.allQuiesced()).isTrue();
        assertThat(result.lastFrozen()).isNotNull();
        assertThat(result.firstThawSent()).isAfterOrEqualTo(result.lastFrozen());
        assertThat(result.allFrozen()).isPositive();
        for (int i = 0; i < 2; i++) {
            SnapshotResult vm = result.vms().get(i);
            assertThat(vm.frozenFilesystems()).isEqualTo(2);
            // every guest's own window holds the span in which all were frozen
            assertThat(vm.freezeWindow()).isGreaterThanOrEqualTo(result.allFrozen());
            assertThat(activeNodes(vms.get(i).qmp())).containsExactlyElementsOf(
                    vm.disks().stream().map(DiskSnapshot::overlayNode).toList());
            assertThat(vms.get(i).ga().fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        }
        for (int i = 0; i < 2; i++) {
            assertStillWriting(vms.get(i));
            for (DiskSnapshot d : result.vms().get(i).disks()) {
                Ext4Image fs = Ext4Image.check(d.base(), vms.get(i).guest().dir());
                assertThat(fs.needsRecovery()).as("%s needs journal recovery", d.base()).isFalse();
                assertThat(fs.fsckClean()).as("e2fsck -fn %s: %s", d.base(), fs.fsckOutput()).isTrue();
            }
        }
        assertThat(vms.get(2).qmp().execute("query-named-block-nodes").toString()).doesNotContain("pair");
        assertNoGroupDecisionLeft();
    }

    @Test
    void threeGuestsInOrderAreThawedInReverse() throws Exception {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        GroupSnapshotResult result = new GroupSnapshotFlow(request("ordered", 3).freezeOrder(FreezeOrder.IN_ORDER)
                .build(), state, (vm, step) -> {
                    if (step.equals("freeze") || step.equals("thaw")) {
                        steps.add(step + " " + vm);
                    }
                }).run();
        assertThat(steps).containsExactly("freeze 0", "freeze 1", "freeze 2", "thaw 2", "thaw 1", "thaw 0");
        assertThat(result.allQuiesced()).isTrue();
        assertThat(result.allFrozen()).isPositive();
        for (int i = 0; i < 3; i++) {
            for (DiskSnapshot d : result.vms().get(i).disks()) {
                assertThat(Ext4Image.check(d.base(), vms.get(i).guest().dir()).fsckClean()).isTrue();
            }
        }
        assertNoGroupDecisionLeft();
    }

    @Test
    void underPreferredAVmWithoutAnAgentIsTakenCrashConsistentAndSaysSo() throws Exception {
        GroupSnapshotResult result = GroupSnapshots.create().withStateDirectory(state).take(GroupSnapshotRequest
                .builder(SnapshotRequest.builder("mixed").quiesce(QuiescePolicy.PREFERRED).build())
                .vm(vms.get(0).member()).vm(GroupMember.of(vms.get(1).qmp(), null)).build());
        assertThat(result.allQuiesced()).isFalse();
        assertThat(result.vms().get(0).quiesced()).isTrue();
        assertThat(result.vms().get(1).quiesced()).isFalse();
        assertThat(result.vms().get(1).quiesceSkippedReason()).contains("no guest agent");
        assertThat(result.allFrozen()).isPositive(); // the one quiesced guest's span
        for (int i = 0; i < 2; i++) {
            assertThat(activeNodes(vms.get(i).qmp())).containsExactlyElementsOf(
                    result.vms().get(i).disks().stream().map(DiskSnapshot::overlayNode).toList());
        }
        assertNoGroupDecisionLeft();
    }

    @Test
    void underRequiredAVmWithoutAnAgentFailsTheGroupBeforeAnythingIsCreated() throws Exception {
        Throwable t = catchThrowable(() -> GroupSnapshots.create().withStateDirectory(state).take(
                request("noagent", 1).vm(GroupMember.of(vms.get(1).qmp(), null)).build()));
        assertThat(t).isInstanceOf(GroupSnapshotFailedException.class).hasMessageContaining("quiescing is required");
        assertThat(((GroupSnapshotFailedException) t).step()).isEqualTo("quiesce check");
        assertThat(((GroupSnapshotFailedException) t).undone()).isEmpty();
        assertAllAsBefore(3);
    }

    @Test
    void overlayCreationFailsInOneVm() throws Exception {
        GroupSnapshotFailedException e = fail("oc", 1, "create overlays", () -> {
            throw new IllegalStateException("injected: no room for an overlay");
        });
        assertThat(e.step()).isEqualTo("create overlays");
        assertAllAsBefore(3);
    }

    @Test
    void theFreezeOfOneVmTimesOutWhileTheOthersAreFrozen() throws Exception {
        // the third guest's fsfreeze hook takes 4 s (a database flushing): longer than the freeze may
        Vm slow = vms.get(2);
        sh(slow.ga(), "echo 4 > /run/qmp4j-freeze-delay");
        try {
            GroupSnapshotRequest.Builder b = GroupSnapshotRequest.builder(SnapshotRequest.builder("late")
                    .quiesce(QuiescePolicy.REQUIRED).freezeTimeout(Duration.ofSeconds(1)).build());
            vms.forEach(vm -> b.vm(vm.member()));
            Throwable t = catchThrowable(() -> GroupSnapshots.create().withStateDirectory(state).take(b.build()));
            assertThat(t).isInstanceOf(GroupSnapshotFailedException.class).hasMessageContaining("no reply in time");
            GroupSnapshotFailedException e = (GroupSnapshotFailedException) t;
            assertThat(e.step()).isEqualTo("freeze");
            assertThat(e.failedVm()).isEqualTo(Endpoint.unix(slow.guest().qmpSocket().toAbsolutePath()).toString());
            assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
        } finally {
            sh(slow.ga(), "rm -f /run/qmp4j-freeze-delay");
        }
        assertAllAsBefore(3);
    }

    @Test
    void theAgentOfOneVmDiesWhileAllAreFrozen() throws Exception {
        Vm last = vms.get(2);
        GroupSnapshotFailedException e = fail("agentdies", 2, "freeze", () -> {
            // qemu-ga dies a second after its freeze (the frozen agent runs no exec); the guest's
            // init restarts it, and the thaw must get through to the new one
            sh(last.ga(), "(sleep 1; kill -9 $(cat /run/qemu-ga.pid)) >/dev/null 2>&1 </dev/null &");
        }, "transaction", () -> {
            sleep(4000); // inside the window: the agent dies, its successor starts
            throw new IllegalStateException("injected: transaction not sent");
        });
        assertThat(e.step()).isEqualTo("transaction");
        assertThat(e.failedVm()).isEqualTo(Endpoint.unix(last.guest().qmpSocket().toAbsolutePath()).toString());
        // the first two had switched already: they are merged back
        assertThat(e.undone()).filteredOn(u -> u.contains("merged overlay")).hasSize(4);
        assertAllAsBefore(3);
    }

    @Test
    void theTransactionFailsInOneVmAfterTheOthersCommitted() throws Exception {
        // The last VM's overlay node vanishes inside the freeze: its transaction fails for real,
        // while the first two switch and must be merged back.
        GroupSnapshotFailedException e = fail("tx", 2, "transaction", () -> {
            String overlay = ourNodes(vms.get(2).qmp()).stream()
                    .filter(n -> !vms.get(2).ours().contains(n) && !n.endsWith("-f")).findFirst().orElseThrow();
            vms.get(2).qmp().execute("blockdev-del", Map.of("node-name", overlay));
        });
        assertThat(e.step()).isEqualTo("transaction");
        assertThat(e.undone()).filteredOn(u -> u.contains("merged overlay")).hasSize(4);
        assertAllAsBefore(3);
    }

    private GroupSnapshotFailedException fail(String name, int vm, String step, Runnable injected) {
        return fail(name, vm, step, injected, "none", () -> { });
    }

    /** Runs a group snapshot of all three VMs that fails: {@code vm} runs an injection at each of two steps. */
    private GroupSnapshotFailedException fail(String name, int vm, String step, Runnable injected, String step2,
                                              Runnable injected2) {
        GroupSnapshotFlow flow = new GroupSnapshotFlow(request(name, 3).build(), state, (i, s) -> {
            if (i == vm && s.equals(step)) {
                injected.run();
            }
            if (i == vm && s.equals(step2)) {
                injected2.run();
            }
        });
        Throwable t = catchThrowable(flow::run);
        assertThat(t).isInstanceOf(GroupSnapshotFailedException.class);
        GroupSnapshotFailedException e = (GroupSnapshotFailedException) t;
        assertThat(e.fullyUndone()).as("%s", e.notUndone()).isTrue();
        return e;
    }

    /** Every VM on its original images, thawed, writing, with no node or file of ours more than before. */
    private void assertAllAsBefore(int count) throws Exception {
        for (Vm vm : vms.subList(0, count)) {
            assertThat(vm.ga().fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            assertThat(activeNodes(vm.qmp())).isEqualTo(vm.nodes());
            assertThat(ourNodes(vm.qmp())).containsExactlyInAnyOrderElementsOf(vm.ours());
            assertThat(files(vm.guest())).isEqualTo(vm.files());
            assertStillWriting(vm);
        }
        assertNoGroupDecisionLeft();
    }

    private void assertNoGroupDecisionLeft() throws Exception {
        try (Stream<Path> s = Files.list(state)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("group-"));
        }
    }

    private static void assertStillWriting(Vm vm) throws Exception {
        long before = workloadCounter(vm.ga(), "/mnt/vda");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (workloadCounter(vm.ga(), "/mnt/vda") <= before) {
            assertThat(System.nanoTime()).as("the guest of %s writes again", vm.guest().qmpSocket())
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitWorkload(GuestAgentClient ga) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (workloadCounter(ga, "/mnt/vda") < 3 || workloadCounter(ga, "/mnt/vdb") < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest's write workload did not start");
            }
            Thread.sleep(200);
        }
    }

    private static List<Path> files(TestGuest guest) throws Exception {
        try (Stream<Path> s = Files.list(guest.dir())) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }
}
