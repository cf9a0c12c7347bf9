package org.qmp4j.examples.cli;

import java.time.Duration;
import java.util.Optional;
import org.qmp4j.qmp.Endpoint;

/** Options several subcommands share, declared and read the same way everywhere. */
final class CommonOptions {
    static final String SOCKET = "--socket";
    static final String TIMEOUT = "--timeout";

    private CommonOptions() {
    }

    /** Declares the required {@code --socket PATH}, described by {@code what} ("QMP socket"). */
    static ArgParser socket(ArgParser parser, String what) {
        return parser.requiredOption(SOCKET, "PATH", what + ": a path, unix:PATH or tcp:HOST:PORT");
    }

    /** Declares {@code --timeout DURATION}. */
    static ArgParser timeout(ArgParser parser, String help) {
        return parser.option(TIMEOUT, "DURATION", help);
    }

    /** The endpoint given with {@code --socket}. */
    static Endpoint endpoint(ArgParser.Parsed args) {
        return args.value(SOCKET, CommonOptions::parseEndpoint).orElseThrow();
    }

    /** The {@code --timeout}, if given. */
    static Optional<Duration> timeout(ArgParser.Parsed args) {
        return args.value(TIMEOUT, Durations::parse);
    }

    private static Endpoint parseEndpoint(String spec) {
        if (spec.isEmpty() || spec.equals("unix:") || spec.equals("tcp:")) {
            throw new IllegalArgumentException("empty address");
        }
        return Endpoint.parse(spec);
    }
}
