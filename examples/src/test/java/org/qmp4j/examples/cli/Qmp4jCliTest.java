package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.CommandException;
import org.qmp4j.snapshot.SnapshotFailedException;

/** Dispatch, help, usage errors and exit codes, without QEMU. */
class Qmp4jCliTest {
    @TempDir
    java.nio.file.Path dir;

    /** A subcommand that runs {@code action} on its parsed arguments. */
    private record Fake(Function<ArgParser.Parsed, ExitCode> action) implements Subcommand {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String summary() {
            return "a fake command";
        }

        @Override
        public ArgParser parser() {
            return new ArgParser("qmp4j fake", "Fakes.").requiredOption("--x", "X", "an x");
        }

        @Override
        public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
            out.print("ran with " + args.value("--x").orElseThrow());
            return action.apply(args);
        }
    }

    private static CliRun runFake(Function<ArgParser.Parsed, ExitCode> action, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExitCode code = new Qmp4jCli(List.of(new Fake(action))).execute(List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code.code(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runsTheNamedSubcommand() {
        CliRun run = runFake(a -> ExitCode.OK, "fake", "--x", "1");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("ran with 1");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void mapsWhatTheSubcommandThrows() {
        CliRun qmpError = runFake(a -> {
            throw new CommandException("frob", "CommandNotFound", "The command frob has not been found");
        }, "fake", "--x", "1");
        CliRun own = runFake(a -> {
            throw new CliException(ExitCode.TIMEOUT, "timeout: too slow");
        }, "fake", "--x", "1");

        assertThat(qmpError.exitCode()).isEqualTo(3);
        assertThat(qmpError.err()).isEqualTo("error: CommandNotFound: The command frob has not been found\n");
        assertThat(own.exitCode()).isEqualTo(5);
        assertThat(own.err()).isEqualTo("error: timeout: too slow\n");
    }

    @Test
    void bugIsAnInternalErrorWithItsStackTrace() {
        CliRun run = runFake(a -> {
            throw new IllegalStateException("oops");
        }, "fake", "--x", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: java.lang.IllegalStateException: oops\n")
                .contains("\tat org.qmp4j.examples.cli.");
    }

    @Test
    void usageErrorPrintsMessageAndTheSubcommandsUsage() {
        CliRun run = runFake(a -> ExitCode.OK, "fake");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: missing --x X\n\nUsage: qmp4j fake --x X\n");
    }

    @Test
    void subcommandHelpGoesToStdout() {
        CliRun run = runFake(a -> ExitCode.OK, "fake", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: qmp4j fake --x X\n\nFakes.\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void helpListsCommandsAndEveryExitCode() {
        for (String help : List.of("help", "--help", "-h")) {
            CliRun run = CliRun.inProcess(help);

            assertThat(run.exitCode()).as(help).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.out()).startsWith("Usage: qmp4j COMMAND")
                    .contains("\n  qmp4j qmp --socket PATH [--timeout DURATION] COMMAND [ARGS-JSON]\n")
                    .contains("\n  qmp4j events --socket PATH [--name EVENT]... [--count N] [--timeout DURATION]\n")
                    .contains("\n  qmp4j ga --socket PATH [--timeout DURATION] COMMAND [ARGS-JSON]\n")
                    .contains("\n  qmp4j snapshot (--qmp PATH | --vm QMP[,QGA]...) [--freeze-order parallel|in-order] "
                            + "[--qga PATH] [--name NAME] [--dir DIR] "
                            + "[--quiesce required|preferred|off] [--disk NODE|DEVICE]... [--mountpoint PATH]... "
                            + "[--max-freeze DURATION] [--freeze-timeout DURATION] [--memory FILE] [--state-dir DIR] "
                            + "[--json]\n")
                    .contains("\n  qmp4j chain --qmp PATH [--json]\n")
                    .contains("\n  qmp4j merge --qmp PATH --disk NODE|DEVICE [--delete] [--timeout DURATION] "
                            + "[--state-dir DIR] [--json]\n")
                    .contains("\n  qmp4j recover --qmp PATH [--qga PATH] [--delete-unrecorded] [--state-dir DIR] "
                            + "[--json]\n")
                    .contains("\n  qmp4j revert --image PATH --to SNAPSHOT_IMAGE [--delete-abandoned] [--json]\n");
            for (ExitCode code : ExitCode.values()) {
                assertThat(run.out()).contains("\n  " + code.code() + "  " + code.meaning() + "\n");
            }
        }
    }

    @Test
    void everyCommandHasItsHelp() {
        for (Subcommand command : Qmp4jCli.defaultCommands()) {
            CliRun run = CliRun.inProcess(command.name(), "--help");

            assertThat(run.exitCode()).as(command.name()).isZero();
            assertThat(run.out()).startsWith("Usage: qmp4j " + command.name() + " ").contains("\nOptions:\n");
            assertThat(run.err()).isEmpty();
        }
    }

    /** Exit 8 carries a list of what is left behind, one item per line, after the error line. */
    @Test
    void snapshotThatCouldNotUndoListsWhatIsLeft() {
        CliRun run = runFake(a -> {
            throw new SnapshotFailedException("thaw", "thaw not confirmed", null, List.of(),
                    List.of("GUEST MAY STILL BE FROZEN: no reply", "the snapshot itself was taken"));
        }, "fake", "--x", "1");
        CliRun undone = runFake(a -> {
            throw new SnapshotFailedException("create overlays", "disk full", null, List.of("file /a.qcow2"),
                    List.of());
        }, "fake", "--x", "1");

        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("""
                error: snapshot failed at thaw: thaw not confirmed
                NOT UNDONE - check and clean up by hand:
                  - GUEST MAY STILL BE FROZEN: no reply
                  - the snapshot itself was taken
                """);
        assertThat(undone.exitCode()).isEqualTo(7);
        assertThat(undone.err()).isEqualTo("error: snapshot failed at create overlays: disk full; undone: file /a.qcow2\n");
    }

    @Test
    void helpForOneCommand() {
        CliRun run = CliRun.inProcess("help", "events");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: qmp4j events --socket PATH").contains("--count N");
        assertThat(CliRun.inProcess("help", "nope").exitCode()).isEqualTo(2);
    }

    @Test
    void noArgumentsIsAUsageError() {
        CliRun run = CliRun.inProcess();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("Usage: qmp4j COMMAND");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.inProcess("frobnicate", "--socket", "/x");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: unknown command 'frobnicate'\n\nUsage: qmp4j COMMAND");
    }

    /** Bad arguments are found before connecting: the socket here does not exist, which would be exit 4. */
    @Test
    void badArgumentsFailBeforeConnecting() {
        String socket = dir.resolve("absent.sock").toString();

        CliRun array = CliRun.inProcess("qmp", "--socket", socket, "qom-list", "[\"/\"]");
        CliRun broken = CliRun.inProcess("qmp", "--socket", socket, "qom-list", "{\"path\":");
        CliRun timeout = CliRun.inProcess("qmp", "--socket", socket, "--timeout", "0", "query-status");
        CliRun tcp = CliRun.inProcess("qmp", "--socket", "tcp:localhost", "query-status");
        CliRun count = CliRun.inProcess("events", "--socket", socket, "--count", "0");
        CliRun extra = CliRun.inProcess("qmp", "--socket", socket, "a", "{}", "b");

        assertThat(List.of(array, broken, timeout, tcp, count, extra)).allSatisfy(run -> {
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
        });
        assertThat(array.err()).startsWith("error: invalid ARGS-JSON '[\"/\"]': must be a JSON object, got array\n");
        assertThat(broken.err()).startsWith("error: invalid ARGS-JSON '{\"path\":': not valid JSON");
        assertThat(timeout.err()).startsWith("error: invalid --timeout '0': must be more than zero\n");
        assertThat(tcp.err()).startsWith("error: invalid --socket 'tcp:localhost': expected tcp:HOST:PORT");
        assertThat(count.err()).startsWith("error: invalid --count '0': must be at least 1\n");
        assertThat(extra.err()).startsWith("error: unexpected argument 'b'\n");
    }
}
