package org.qmp4j.examples.cli;

/**
 * Bad options or arguments: the CLI prints the message and the subcommand's usage on stderr and
 * exits with {@link ExitCode#USAGE}.
 */
public class UsageException extends CliException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(ExitCode.USAGE, message);
    }
}
