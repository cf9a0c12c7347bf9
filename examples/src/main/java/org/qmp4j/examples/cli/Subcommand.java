package org.qmp4j.examples.cli;

import java.io.PrintStream;

/**
 * One {@code qmp4j} subcommand. To add one, implement this in its own class and list it in
 * {@link Qmp4jCli#defaultCommands()}: dispatch, {@code --help}, usage errors and exit codes are
 * handled there.
 */
public interface Subcommand {

    /** The word that selects it, e.g. {@code qmp}. */
    String name();

    /** One line for the command list in the main usage text. */
    String summary();

    /** A new parser that declares its options and arguments (and renders its usage). */
    ArgParser parser();

    /**
     * Runs with parsed arguments. Writes results to {@code out} and diagnostics to {@code err}.
     * Failures are thrown: {@link CliException} (with its own exit code, {@link UsageException}
     * for bad arguments) or a qmp4j exception, which {@link ExitCode#of} maps.
     *
     * @return the exit code of a run that did not fail, normally {@link ExitCode#OK}
     */
    ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err);
}
