package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;

/**
 * {@code qmp4j qmp}: runs one QMP command and prints its {@code return} value as one
 * pretty-printed JSON document.
 */
final class QmpCommand implements Subcommand {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final String COMMAND = "COMMAND";
    private static final String ARGUMENTS = "ARGS-JSON";

    @Override
    public String name() {
        return "qmp";
    }

    @Override
    public String summary() {
        return "run one QMP command, print its return value as JSON";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j qmp", """
                Runs one QMP command and prints its "return" value as one pretty-printed JSON
                document on stdout. An error reply prints "error: CLASS: DESC" on stderr.""");
        CommonOptions.socket(parser, "QMP socket");
        CommonOptions.timeout(parser, "deadline for connecting, and again for the reply (default "
                + Durations.format(DEFAULT_TIMEOUT) + ")");
        return parser.positional(COMMAND, "the QMP command, e.g. query-status")
                .optionalPositional(ARGUMENTS, "its arguments as one JSON object, e.g. '{\"path\":\"/\"}'");
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        // Read every argument before connecting: a usage error never touches the socket.
        Endpoint endpoint = CommonOptions.endpoint(args);
        Duration timeout = CommonOptions.timeout(args).orElse(DEFAULT_TIMEOUT);
        String command = args.argument(COMMAND).orElseThrow();
        ObjectNode arguments = args.argument(ARGUMENTS, CliJson::parseObject).orElse(null);

        QmpOptions options = CommonOptions.qmpOptions(endpoint).connectTimeout(timeout).commandTimeout(timeout).build();
        try (QmpClient client = QmpClient.connect(options)) {
            JsonNode result = client.execute(command, arguments);
            out.println(CliJson.pretty(result));
        }
        return ExitCode.OK;
    }
}
