package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;

/**
 * {@code qmp4j ga}: runs one guest agent command and prints its {@code return} value as one
 * pretty-printed JSON document, like {@code qmp4j qmp} does for QMP. When no agent answers the
 * synchronisation in time, it ends with {@link ExitCode#AGENT_ABSENT}.
 */
final class GaCommand implements Subcommand {
    private static final String COMMAND = "COMMAND";
    private static final String ARGUMENTS = "ARGS-JSON";

    @Override
    public String name() {
        return "ga";
    }

    @Override
    public String summary() {
        return "run one guest agent command, print its return value as JSON";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j ga", ExitCode.inText("""
                Runs one guest agent (qemu-ga) command and prints its "return" value as one
                pretty-printed JSON document on stdout. An error reply prints "error: CLASS: DESC"
                on stderr (exit %d); no agent answering within the timeout is exit %d.
                guest-shutdown and guest-suspend-* never reply: for them, exit %d after the timeout
                does not mean they failed.""", ExitCode.QMP_ERROR, ExitCode.AGENT_ABSENT, ExitCode.TIMEOUT));
        CommonOptions.socket(parser, "the agent socket (the host end of the guest's agent channel)");
        CommonOptions.timeout(parser, "deadline for the agent to answer (presence), and again for the reply "
                + "(default " + Durations.format(QmpCommand.DEFAULT_TIMEOUT) + ")");
        return parser.positional(COMMAND, "the agent command, e.g. guest-info")
                .optionalPositional(ARGUMENTS, "its arguments as one JSON object, e.g. '{\"id\":1}'");
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        Endpoint endpoint = CommonOptions.endpoint(args);
        Duration timeout = CommonOptions.timeout(args).orElse(QmpCommand.DEFAULT_TIMEOUT);
        String command = args.argument(COMMAND).orElseThrow();
        ObjectNode arguments = args.argument(ARGUMENTS, CliJson::parseObject).orElse(null);

        // The connect deadline also covers the first sync: give it room, so that an agent that
        // does not answer shows as absent (the sync deadline), not as a connect timeout.
        // A raw command is never a guarded freeze (only GuestAgentClient.freeze arms the guardian):
        // starting one would cost a JVM for nothing.
        GuestAgentOptions options = GuestAgentOptions.builder(endpoint).connectTimeout(timeout.multipliedBy(2))
                .syncTimeout(timeout).commandTimeout(timeout).thawGuardian(false).build();
        try (GuestAgentClient agent = GuestAgentClient.connect(options)) {
            JsonNode result = agent.execute(command, arguments);
            out.println(CliJson.pretty(result));
        }
        return ExitCode.OK;
    }
}
