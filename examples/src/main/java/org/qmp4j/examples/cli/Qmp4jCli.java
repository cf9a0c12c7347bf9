package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code qmp4j} command-line tool: picks the subcommand, parses its arguments, runs it, and
 * turns the outcome into an {@link ExitCode}. {@link #run} does all of that without calling
 * {@link System#exit}, so tests can call it; {@link #main} only adds the exit.
 *
 * <p>Logging goes through slf4j-simple, configured by {@code simplelogger.properties} to show
 * only warnings, so stderr carries the CLI's own messages and nothing else.
 */
public final class Qmp4jCli {
    private final List<Subcommand> commands;

    /** A CLI with these subcommands. */
    public Qmp4jCli(List<Subcommand> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The subcommands {@code qmp4j} ships. */
    public static List<Subcommand> defaultCommands() {
        return List.of(new QmpCommand(), new EventsCommand(), new GaCommand(), new SnapshotCommand(),
                new ChainCommand(), new MergeCommand(), new RevertCommand(), new RecoverCommand());
    }

    /** Runs the CLI and exits with its exit code. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs the CLI with the default subcommands, writing to {@code out} and {@code err}.
     *
     * @return the process exit status ({@link ExitCode#code()})
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Qmp4jCli(defaultCommands()).execute(Arrays.asList(args), out, err).code();
    }

    /** Runs one command line. Never throws for anything the user or the peer did. */
    public ExitCode execute(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print(usage());
            return ExitCode.USAGE;
        }
        String name = args.get(0);
        List<String> rest = args.subList(1, args.size());
        if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
            return help(rest, out, err);
        }
        Optional<Subcommand> command = find(name);
        if (command.isEmpty()) {
            err.println("error: unknown command '" + name + "'");
            err.println();
            err.print(usage());
            return ExitCode.USAGE;
        }
        ArgParser parser = command.get().parser();
        try {
            ArgParser.Parsed parsed = parser.parse(rest);
            if (parsed.helpRequested()) {
                out.print(parser.usage());
                return ExitCode.OK;
            }
            return command.get().run(parsed, out, err);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(parser.usage());
            return ExitCode.USAGE;
        } catch (RuntimeException e) {
            ExitCode code = ExitCode.of(e);
            err.println(ErrorMessages.of(e));
            if (code == ExitCode.INTERNAL_ERROR) {
                e.printStackTrace(err);
            }
            return code;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private ExitCode help(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            out.print(usage());
            return ExitCode.OK;
        }
        Optional<Subcommand> command = find(args.get(0));
        if (command.isEmpty() || args.size() > 1) {
            err.println("error: usage: qmp4j help [COMMAND]");
            err.println();
            err.print(usage());
            return ExitCode.USAGE;
        }
        out.print(command.get().parser().usage());
        return ExitCode.OK;
    }

    private Optional<Subcommand> find(String name) {
        return commands.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The main usage text: subcommands, common formats, exit codes. Ends with a newline. */
    public String usage() {
        StringBuilder s = new StringBuilder("Usage: qmp4j COMMAND [OPTIONS] [ARGUMENTS]\n")
                .append("       qmp4j help [COMMAND]\n\nCommands:\n");
        int width = commands.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Subcommand c : commands) {
            s.append("  ").append(c.name()).append(" ".repeat(width - c.name().length() + 3))
                    .append(c.summary()).append('\n');
        }
        s.append("  help").append(" ".repeat(Math.max(0, width - 4) + 3)).append("show this text, or a command's usage\n");
        s.append('\n');
        for (Subcommand c : commands) {
            s.append("  ").append(c.parser().synopsis()).append('\n');
        }
        s.append("\nSockets:   a UNIX socket path, unix:PATH, or tcp:HOST:PORT\n")
                .append("Durations: ").append(Durations.FORMAT_HELP).append('\n')
                .append("\nExit codes:\n");
        for (ExitCode code : ExitCode.values()) {
            s.append("  ").append(code.code()).append("  ").append(code.meaning()).append('\n');
        }
        s.append("\nRun 'qmp4j help COMMAND' or 'qmp4j COMMAND --help' for a command's options.\n");
        return s.toString();
    }
}
