package org.qmp4j.examples.cli;

import java.time.Duration;
import java.util.Optional;
import org.qmp4j.core.Endpoint;

/** Options several subcommands share, declared and read the same way everywhere. */
final class CommonOptions {
    static final String SOCKET = "--socket";
    static final String TIMEOUT = "--timeout";
    static final String QMP = "--qmp";
    static final String JSON = "--json";

    private CommonOptions() {
    }

    /** Declares the required {@code --socket PATH}, described by {@code what} ("QMP socket"). */
    static ArgParser socket(ArgParser parser, String what) {
        return parser.requiredOption(SOCKET, "PATH", what + ": a path, unix:PATH or tcp:HOST:PORT");
    }

    /** Declares the required {@code --qmp PATH}: the VM's QMP socket, for the snapshot commands. */
    static ArgParser qmp(ArgParser parser) {
        return parser.requiredOption(QMP, "PATH", "the VM's QMP socket: a path, unix:PATH or tcp:HOST:PORT");
    }

    /** Declares {@code --json}: the result as one JSON document instead of text. */
    static ArgParser json(ArgParser parser) {
        return parser.flag(JSON, "print the result as one JSON document instead of text");
    }

    /** Declares {@code --timeout DURATION}. */
    static ArgParser timeout(ArgParser parser, String help) {
        return parser.option(TIMEOUT, "DURATION", help);
    }

    /** The endpoint given with {@code --socket}. */
    static Endpoint endpoint(ArgParser.Parsed args) {
        return args.value(SOCKET, CommonOptions::parseEndpoint).orElseThrow();
    }

    /** The endpoint given with {@code --qmp}. */
    static Endpoint qmpEndpoint(ArgParser.Parsed args) {
        return args.value(QMP, CommonOptions::parseEndpoint).orElseThrow();
    }

    /** Whether {@code --json} was given. */
    static boolean json(ArgParser.Parsed args) {
        return args.flag(JSON);
    }

    /** The {@code --timeout}, if given. */
    static Optional<Duration> timeout(ArgParser.Parsed args) {
        return args.value(TIMEOUT, Durations::parse);
    }

    /** A socket address as the options take it: a path, {@code unix:PATH} or {@code tcp:HOST:PORT}. */
    static Endpoint parseEndpoint(String spec) {
        if (spec.isEmpty() || spec.equals("unix:") || spec.equals("tcp:")) {
            throw new IllegalArgumentException("empty address");
        }
        return Endpoint.parse(spec);
    }
}
