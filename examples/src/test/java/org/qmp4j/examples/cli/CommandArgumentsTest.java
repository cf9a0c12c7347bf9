package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Argument handling of {@code ga}, {@code snapshot}, {@code chain}, {@code merge} and
 * {@code revert}: bad usage is exit 2, found before connecting. The sockets and images named
 * here do not exist, so a command that went as far as connecting would exit 4 or 7 instead.
 */
class CommandArgumentsTest {
    @TempDir
    Path dir;

    private String socket;

    @BeforeEach
    void absentSocket() {
        socket = dir.resolve("absent.sock").toString();
    }

    private static void assertUsageError(CliRun run, String firstLine) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: " + firstLine + "\n\nUsage: qmp4j ");
    }

    @Test
    void ga() {
        assertUsageError(CliRun.inProcess("ga", "--socket", socket), "missing COMMAND");
        assertUsageError(CliRun.inProcess("ga", "guest-info"), "missing --socket PATH");
        assertUsageError(CliRun.inProcess("ga", "--socket", socket, "guest-sync", "[1]"),
                "invalid ARGS-JSON '[1]': must be a JSON object, got array");
        assertUsageError(CliRun.inProcess("ga", "--socket", socket, "--timeout", "soon", "guest-info"),
                "invalid --timeout 'soon': not a duration (use " + Durations.FORMAT_HELP + ")");
        assertUsageError(CliRun.inProcess("ga", "--socket", socket, "guest-info", "{}", "more"),
                "unexpected argument 'more'");
    }

    @Test
    void snapshot() {
        assertUsageError(CliRun.inProcess("snapshot"), "missing --qmp PATH (or --vm QMP[,QGA])");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--name", "../evil"),
                "invalid --name '../evil': use up to 64 letters, digits, '.', '_', '-', not starting with '.', no '..'");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--name", ".hidden"),
                "invalid --name '.hidden': use up to 64 letters, digits, '.', '_', '-', not starting with '.', no '..'");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--quiesce", "sometimes"),
                "invalid --quiesce 'sometimes': use required, preferred or off");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--max-freeze", "0"),
                "invalid --max-freeze '0': must be more than zero");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--freeze-timeout", "0"),
                "invalid --freeze-timeout '0': must be more than zero");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--quiesce", "off", "--mountpoint", "/"),
                "--mountpoint chooses what to freeze: not with --quiesce off");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--quiesce", "required",
                "--memory", dir.resolve("ram").toString()), "--memory is never quiesced: not with --quiesce required");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--qga", "tcp:nohost"),
                "invalid --qga 'tcp:nohost': expected tcp:HOST:PORT, got tcp:nohost");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--name", "a", "--name", "b"),
                "--name given more than once");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "vd0"), "unexpected argument 'vd0'");
        assertThat(dir.resolve("ram")).doesNotExist();
    }

    @Test
    void groupSnapshot() {
        String vm = socket + "," + dir.resolve("qga.sock");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", vm, "--qmp", socket),
                "--qmp and --vm exclude each other");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", vm, "--qga", socket),
                "--qga is for one VM: give each VM of a group with --vm QMP[,QGA]");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", vm, "--memory", dir.resolve("ram").toString()),
                "--memory is for one VM: give each VM of a group with --vm QMP[,QGA]");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", vm, "--vm", socket),
                "--vm unix:" + socket + " given more than once");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", socket + ",tcp:nohost"),
                "invalid --vm '" + socket + ",tcp:nohost': expected tcp:HOST:PORT, got tcp:nohost");
        assertUsageError(CliRun.inProcess("snapshot", "--vm", vm, "--freeze-order", "random"),
                "invalid --freeze-order 'random': use parallel or in-order");
        assertUsageError(CliRun.inProcess("snapshot", "--qmp", socket, "--freeze-order", "in-order"),
                "--freeze-order orders the guests of a group snapshot: only with --vm");
        assertThat(dir.resolve("ram")).doesNotExist();
    }

    @Test
    void groupSnapshotConnectsToEachVm() {
        CliRun run = CliRun.inProcess("snapshot", "--vm", socket, "--freeze-order", "IN-ORDER");

        assertThat(run.exitCode()).as("it went on to connect").isEqualTo(4);
        assertThat(run.err()).startsWith("error: cannot connect to unix:" + socket);
    }

    @Test
    void snapshotPolicyIgnoresCase() {
        CliRun run = CliRun.inProcess("snapshot", "--qmp", socket, "--quiesce", "OFF");

        assertThat(run.exitCode()).as("it went on to connect").isEqualTo(4);
        assertThat(run.err()).startsWith("error: cannot connect to unix:" + socket);
    }

    @Test
    void chain() {
        assertUsageError(CliRun.inProcess("chain"), "missing --qmp PATH");
        assertUsageError(CliRun.inProcess("chain", "--qmp", socket, "--json=yes"), "--json takes no value");
        assertUsageError(CliRun.inProcess("chain", "--qmp", socket, "vd0"), "unexpected argument 'vd0'");
    }

    @Test
    void merge() {
        assertUsageError(CliRun.inProcess("merge", "--qmp", socket), "missing --disk NODE|DEVICE");
        assertUsageError(CliRun.inProcess("merge", "--disk", "vd0"), "missing --qmp PATH");
        assertUsageError(CliRun.inProcess("merge", "--qmp", socket, "--disk", " "), "--disk needs a disk name");
        assertUsageError(CliRun.inProcess("merge", "--qmp", socket, "--disk", "vd0", "--timeout", "-1s"),
                "invalid --timeout '-1s': not a duration (use " + Durations.FORMAT_HELP + ")");
        assertUsageError(CliRun.inProcess("merge", "--qmp", socket, "--disk", "vd0", "--timeout", "0s"),
                "invalid --timeout '0s': must be more than zero");
        assertUsageError(CliRun.inProcess("merge", "--qmp", socket, "--disk", "vd0", "--delete=yes"),
                "--delete takes no value");
    }

    @Test
    void revert() throws Exception {
        Path image = dir.resolve("image.qcow2");
        assertUsageError(CliRun.inProcess("revert", "--image", image.toString()), "missing --to SNAPSHOT_IMAGE");
        assertUsageError(CliRun.inProcess("revert", "--to", image.toString()), "missing --image PATH");
        assertUsageError(CliRun.inProcess("revert", "--image", image.toString(), "--to", image.toString(),
                "--delete"), "unknown option --delete");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void defaultSnapshotNameIsTheUtcTime() {
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07.890Z"), ZoneId.of("Asia/Tokyo"));

        assertThat(SnapshotCommand.defaultName(clock)).isEqualTo("snap-20260304-050607");
        assertThat(SnapshotCommand.defaultName(Clock.fixed(Instant.parse("2026-12-31T23:59:59Z"), ZoneOffset.UTC)))
                .isEqualTo("snap-20261231-235959");
    }
}
