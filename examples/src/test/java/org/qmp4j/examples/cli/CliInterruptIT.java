package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.GuardianProcesses;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * {@code qmp4j snapshot} cut short in the middle of a slow freeze (the guest's fsfreeze hook
 * sleeps 6 s). SIGTERM: the CLI stops the snapshot, undoes it and thaws the guest before it exits.
 * SIGKILL: the thaw guardian thaws the guest, the next snapshot is refused until
 * {@code qmp4j recover}, and recover leaves the directory beside the images as it was.
 */
class CliInterruptIT {
    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    @TempDir
    Path runDir;

    private final List<ProcessHandle> guardians = new ArrayList<>();
    /** What each guardian ran as when it was found, while the CLI lived. */
    private final List<List<String>> guardianCommands = new ArrayList<>();

    @AfterEach
    void noGuardianLeft() {
        guardians.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void sigtermStopsTheSnapshotUndoesItAndThawsBeforeExit() throws Exception {
        TestGuest guest = vm.guest();
        slowFreeze(guest, true);
        List<Path> before = files(guest);

        CliRun stopped = cutShort(guest, "term", false);

        assertThat(stopped.exitCode()).as(stopped.err()).isEqualTo(143);
        assertThat(stopped.err()).contains("interrupted: stopping the snapshot and thawing the guest before exit");
        assertThat(freezeStatus(guest)).isEqualTo("thawed");
        assertThat(files(guest)).isEqualTo(before);
        assertThat(ourNodes(guest)).isEmpty();
        CliRun recover = CliRun.inProcess("recover", "--qmp", guest.qmpSocket().toString(), "--json");
        assertThat(recover.exitCode()).as(recover.err()).isZero();
        assertThat(recover.json().path("actions").get(0).asText()).startsWith("nothing unfinished");
    }

    @Test
    void sigkillLeavesItToTheGuardianAndToRecover() throws Exception {
        TestGuest guest = vm.guest();
        String qmp = guest.qmpSocket().toString();
        String qga = guest.agentSocket().toString();
        slowFreeze(guest, true);
        List<Path> before = files(guest);

        CliRun killed = cutShort(guest, "kill", true);
        assertThat(killed.exitCode()).isEqualTo(137);
        assertThat(guardians).as("the CLI's guardian").hasSize(1);
        // the script's lazy guardian: a shell until the CLI dies, then the JVM that thaws
        assertThat(guardianCommands.get(0)).as("the CLI's guardian waits as a shell").contains("qmp4j-guardian-watch");
        assertThat(Await.until(() -> guardians.stream().noneMatch(g -> GuardianProcesses.running(g.pid())),
                Duration.ofSeconds(60)))
                .as("the guardian thawed and left").isTrue();
        assertThat(freezeStatus(guest)).isEqualTo("thawed");
        slowFreeze(guest, false);

        CliRun refused = CliRun.inProcess("snapshot", "--qmp", qmp, "--qga", qga, "--name", "next");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILED.code());
        assertThat(refused.err()).contains("unfinished snapshot").contains("run recover first");

        CliRun recover = CliRun.inProcess("recover", "--qmp", qmp, "--qga", qga);
        assertThat(recover.exitCode()).as(recover.err()).isZero();
        assertThat(recover.out()).contains("snapshot kill").contains("rolled back");
        assertThat(files(guest)).isEqualTo(before);
        assertThat(ourNodes(guest)).isEmpty();

        CliRun next = CliRun.inProcess("snapshot", "--qmp", qmp, "--qga", qga, "--quiesce", "required",
                "--name", "next", "--json");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.json().path("quiesced").asBoolean()).isTrue();
    }

    /** Starts a snapshot named {@code name}, and once the guest is freezing, SIGTERMs or SIGKILLs it. */
    private CliRun cutShort(TestGuest guest, String name, boolean kill) throws Exception {
        try (CliRun.Running cli = CliRun.start(CliRun.script(), runDir, "snapshot", "--qmp",
                guest.qmpSocket().toString(), "--qga", guest.agentSocket().toString(), "--quiesce", "required",
                "--name", name)) {
            // the overlays come right before the freeze: once the last exists, the freeze has begun
            Path last = guest.disks().get(1).resolveSibling("disk1." + name + ".qcow2");
            assertThat(Await.until(() -> sizeOf(last) > 0, Duration.ofSeconds(60))).as("overlays created").isTrue();
            Thread.sleep(1500);
            GuardianProcesses.of(cli.process().pid(), Duration.ofSeconds(10)).ifPresent(g -> {
                guardians.add(g);
                guardianCommands.add(g.info().arguments().map(List::of).orElse(List.of()));
            });
            if (kill) {
                cli.process().destroyForcibly();
            } else {
                cli.process().destroy();
            }
            return cli.await();
        }
    }

    /** Makes the guest's fsfreeze hook sleep 6 s before each freeze, or not. */
    private static void slowFreeze(TestGuest guest, boolean on) {
        try (GuestAgentClient ga = agent(guest)) {
            String line = on ? "echo 6 > /run/qmp4j-freeze-delay" : "rm -f /run/qmp4j-freeze-delay";
            assertThat(ga.exec(ExecRequest.of("/bin/sh", "-c", line)).succeeded()).isTrue();
        }
    }

    private static String freezeStatus(TestGuest guest) {
        CliRun status = CliRun.inProcess("ga", "--socket", guest.agentSocket().toString(), "--timeout", "30s",
                "guest-fsfreeze-status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        return status.json().asText();
    }

    private static List<String> ourNodes(TestGuest guest) {
        CliRun nodes = CliRun.inProcess("qmp", "--socket", guest.qmpSocket().toString(), "query-named-block-nodes");
        assertThat(nodes.exitCode()).as(nodes.err()).isZero();
        return nodes.json().findValuesAsText("node-name").stream().filter(n -> n.startsWith("q4j-")).toList();
    }

    private static GuestAgentClient agent(TestGuest guest) {
        return GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket()))
                .connectTimeout(Duration.ofSeconds(30)).syncTimeout(Duration.ofSeconds(15)).build());
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<Path> files(TestGuest guest) throws IOException {
        try (Stream<Path> s = Files.list(guest.dir())) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".log")
                    && !p.getFileName().toString().endsWith(".sock")).sorted().toList();
        }
    }
}
