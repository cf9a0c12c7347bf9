package org.qmp4j.examples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotRequest;

/** Options several subcommands share, declared and read the same way everywhere. */
final class CommonOptions {
    static final String SOCKET = "--socket";
    static final String TIMEOUT = "--timeout";
    static final String QMP = "--qmp";
    static final String JSON = "--json";
    static final String STATE_DIR = "--state-dir";
    /**
     * System property: where the CLI keeps QEMU schemas between runs, or {@code off}. Default
     * {@code $XDG_CACHE_HOME/qmp4j/schemas}, else {@code ~/.cache/qmp4j/schemas}.
     */
    static final String SCHEMA_CACHE_PROPERTY = "qmp4j.schemaCache";

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
    /** {@code --state-dir}: where the operation journals are (snapshot, merge, recover). */
    static ArgParser stateDir(ArgParser parser) {
        return parser.option(STATE_DIR, "DIR", "the journals of unfinished operations (default "
                + "$XDG_STATE_HOME/qmp4j, else ~/.local/state/qmp4j)");
    }

    /**
     * QMP options for {@code endpoint} with the CLI's schema cache: every command is a new
     * process, and QEMU takes tens of milliseconds to produce a schema that a snapshot asks for.
     */
    static QmpOptions.Builder qmpOptions(Endpoint endpoint) {
        QmpOptions.Builder options = QmpOptions.builder(endpoint);
        schemaCacheDirectory().ifPresent(options::schemaCacheDirectory);
        return options;
    }

    /** The directory of {@link #SCHEMA_CACHE_PROPERTY}; empty when it is {@code off}. */
    static Optional<Path> schemaCacheDirectory() {
        String property = System.getProperty(SCHEMA_CACHE_PROPERTY, "");
        if (property.equals("off")) {
            return Optional.empty();
        }
        if (!property.isBlank()) {
            return Optional.of(Path.of(property));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Optional.of(Path.of(xdg, "qmp4j", "schemas"));
        }
        return Optional.of(Path.of(System.getProperty("user.home"), ".cache", "qmp4j", "schemas"));
    }

    /**
     * Starts the thaw guardian before anything else when {@code request} may freeze through an
     * agent at {@code agent}: its start-up (a small JVM) then overlaps this command's own instead
     * of the freeze, which follows a few hundred milliseconds later.
     */
    static void startThawGuardianEarly(Optional<Endpoint> agent, SnapshotRequest request) {
        if (agent.isPresent() && mayFreeze(request) && GuestAgentOptions.builder(agent.get()).build().thawGuardian()) {
            GuestAgentClient.startThawGuardian();
        }
    }

    /** Whether {@code request} may freeze a guest: a memory snapshot or one without quiescing never does. */
    static boolean mayFreeze(SnapshotRequest request) {
        return request.quiesce() != QuiescePolicy.OFF && request.memoryFile().isEmpty();
    }

    /** The {@link LiveSnapshots} of {@code qmp} (and {@code agent}, may be null), with {@code --state-dir}. */
    static LiveSnapshots snapshots(ArgParser.Parsed args, QmpClient qmp, GuestAgentClient agent) {
        LiveSnapshots snapshots = LiveSnapshots.of(qmp, agent);
        return args.value(STATE_DIR, Path::of).map(snapshots::withStateDirectory).orElse(snapshots);
    }

    /**
     * The agent client of a snapshot or recover, which quiesce or thaw through it. Without sync
     * on connect, connecting only opens the socket: an agent that does not answer is then the
     * operation's business (a PREFERRED snapshot goes on unquiesced, a REQUIRED one fails before
     * any change). A client that will not freeze (recover only thaws) starts no thaw guardian.
     */
    static GuestAgentClient agent(Endpoint endpoint, QmpClient qmp, boolean mayFreeze) {
        GuestAgentOptions.Builder options = GuestAgentOptions.builder(endpoint).qmp(qmp).syncOnConnect(false);
        return GuestAgentClient.connect(mayFreeze ? options.build() : options.thawGuardian(false).build());
    }

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
