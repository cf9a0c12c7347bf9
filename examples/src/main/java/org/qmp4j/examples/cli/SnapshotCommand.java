package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotName;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;

/**
 * {@code qmp4j snapshot}: takes a consistent live snapshot of a running VM's disks with
 * {@link LiveSnapshots#take}, quiesced through the guest agent when {@code --qga} is given, and
 * prints the result. A failure that undid everything is {@link ExitCode#FAILED}; one that left
 * something behind is {@link ExitCode#FAILED_NOT_UNDONE}, with what is left listed on stderr.
 */
final class SnapshotCommand implements Subcommand {
    static final String QGA = "--qga";
    private static final String NAME = "--name";
    private static final String DIR = "--dir";
    private static final String QUIESCE = "--quiesce";
    private static final String DISK = "--disk";
    private static final String MOUNTPOINT = "--mountpoint";
    private static final String MAX_FREEZE = "--max-freeze";
    private static final String FREEZE_TIMEOUT = "--freeze-timeout";
    static final String MEMORY = "--memory";
    static final String VM = "--vm";
    static final String FREEZE_ORDER = "--freeze-order";
    /** The library's default, read rather than repeated. */
    private static final Duration DEFAULT_MAX_FREEZE = SnapshotRequest.builder("default").build().maxFreeze();
    private static final Duration DEFAULT_FREEZE_TIMEOUT = SnapshotRequest.builder("default").build().freezeTimeout();

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public String summary() {
        return "take a consistent live snapshot of a running VM's disks";
    }

    @Override
    public ArgParser parser() {
        ArgParser parser = new ArgParser("qmp4j snapshot", ExitCode.inText("""
                Takes a live snapshot of a running VM: every disk (or each --disk) switches to a new
                qcow2 overlay in one atomic transaction; the images it wrote to until then become the
                snapshot. Overlays are named <stem>.<name>.qcow2, beside each disk's image or in
                --dir. With --qga and quiescing, the guest's file systems are frozen around the switch.
                Prints name, time, whether it was quiesced (or why not), and per disk
                "device: node -> overlay node, base -> overlay".
                Every step is on record in the VM's journal (--state-dir); a snapshot cut short
                (the process killed, the connection lost) is finished or undone by "qmp4j recover",
                and until then no snapshot or merge of that VM starts. Every freeze is guarded by a
                small separate process that thaws the guest if this one dies; SIGTERM and Ctrl-C
                thaw before exit.
                With --vm instead of --qmp, several VMs are snapshotted at one point in time: every
                guest is frozen, then every VM's transaction is sent, then every guest is thawed;
                if any VM fails, every VM goes back to its own images. The other options apply to
                each VM.
                Exit %d: it failed and everything was undone. Exit %d: it failed and something
                could not be undone (the guest may still be frozen, the record is unfinished);
                stderr lists it.""", ExitCode.FAILED, ExitCode.FAILED_NOT_UNDONE));
        parser.option(CommonOptions.QMP, "PATH", "the VM's QMP socket: a path, unix:PATH or tcp:HOST:PORT");
        parser.repeatedOption(VM, "QMP[,QGA]", "instead of --qmp and --qga: one VM of a group snapshot, by its QMP "
                + "socket and, after a comma, its guest agent socket; give it once per VM");
        parser.eitherOr(CommonOptions.QMP, VM);
        parser.option(FREEZE_ORDER, "parallel|in-order", "with --vm: freeze every guest at once (default), or one "
                + "after the other in the order given, thawing in reverse");
        parser.option(QGA, "PATH", "the guest agent socket; without it, nothing is quiesced");
        parser.option(NAME, "NAME", "the snapshot's name: letters, digits, '.', '_', '-' "
                + "(default snap-<yyyyMMdd-HHmmss>, UTC)");
        parser.option(DIR, "DIR", "where the overlays go (default: beside each disk's image)");
        parser.option(QUIESCE, "required|preferred|off", "required: freeze or fail; preferred: freeze when the agent can "
                + "(default); off: never");
        parser.repeatedOption(DISK, "NODE|DEVICE", "snapshot only this disk (default: every writable disk)");
        parser.repeatedOption(MOUNTPOINT, "PATH", "freeze only this guest mountpoint (default: all)");
        parser.option(MAX_FREEZE, "DURATION", "the longest the guest may stay frozen once frozen (default "
                + Durations.format(DEFAULT_MAX_FREEZE) + ")");
        parser.option(FREEZE_TIMEOUT, "DURATION", "how long the freeze itself may take, e.g. a guest hook "
                + "flushing a database (default " + Durations.format(DEFAULT_FREEZE_TIMEOUT) + ")");
        parser.option(MEMORY, "FILE", "also save RAM to this new file (the VM pauses meanwhile; never quiesced)");
        CommonOptions.stateDir(parser);
        return CommonOptions.json(parser);
    }

    @Override
    public ExitCode run(ArgParser.Parsed args, PrintStream out, PrintStream err) {
        if (!args.values(VM).isEmpty()) {
            return GroupSnapshotCommand.run(args, request(args), out, err);
        }
        // Everything is read and checked before connecting: a usage error changes nothing.
        if (args.value(FREEZE_ORDER, s -> s).isPresent()) {
            throw new UsageException(FREEZE_ORDER + " orders the guests of a group snapshot: only with " + VM);
        }
        Endpoint qmpEndpoint = CommonOptions.qmpEndpoint(args);
        Optional<Endpoint> agentEndpoint = args.value(QGA, CommonOptions::parseEndpoint);
        SnapshotRequest request = request(args);
        boolean json = CommonOptions.json(args);
        CommonOptions.startThawGuardianEarly(agentEndpoint, request);

        SnapshotResult result;
        try (QmpClient qmp = QmpClient.connect(CommonOptions.qmpOptions(qmpEndpoint).build());
             GuestAgentClient agent = agentEndpoint.map(e -> CommonOptions.agent(e, qmp, CommonOptions.mayFreeze(request))).orElse(null);
             StopOnSignal stop = StopOnSignal.guard(agent, err, "snapshot")) {
            result = CommonOptions.snapshots(args, qmp, agent).take(request);
        }
        out.print(json ? CliJson.pretty(ResultJson.snapshot(result)) + "\n" : ResultText.snapshot(result));
        return ExitCode.OK;
    }

    /** The options as one VM's request; a group snapshot reads the same options from it. */
    static SnapshotRequest request(ArgParser.Parsed args) {
        String name = args.value(NAME, SnapshotCommand::safeName).orElseGet(() -> defaultName(Clock.systemUTC()));
        QuiescePolicy quiesce = args.value(QUIESCE, SnapshotCommand::policy).orElse(QuiescePolicy.PREFERRED);
        List<String> mountpoints = args.values(MOUNTPOINT);
        Optional<Path> memory = args.value(MEMORY, Path::of);
        if (quiesce == QuiescePolicy.OFF && !mountpoints.isEmpty()) {
            throw new UsageException(MOUNTPOINT + " chooses what to freeze: not with " + QUIESCE + " off");
        }
        if (quiesce == QuiescePolicy.REQUIRED && memory.isPresent()) {
            throw new UsageException(MEMORY + " is never quiesced: not with " + QUIESCE + " required");
        }
        SnapshotRequest.Builder b = SnapshotRequest.builder(name).quiesce(quiesce).disks(args.values(DISK))
                .mountpoints(mountpoints);
        args.value(DIR, Path::of).ifPresent(b::overlayDirectory);
        args.value(MAX_FREEZE, Durations::parse).ifPresent(b::maxFreeze);
        args.value(FREEZE_TIMEOUT, Durations::parse).ifPresent(b::freezeTimeout);
        memory.ifPresent(b::memoryFile);
        return b.build();
    }

    /** {@code snap-<yyyyMMdd-HHmmss>} of {@code clock}'s time, in UTC. */
    static String defaultName(Clock clock) {
        // made here, not at start-up: a formatter's first use loads locale data, and a named snapshot needs none
        return "snap-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC)
                .format(clock.instant());
    }

    private static String safeName(String name) {
        if (!SnapshotName.isValid(name)) {
            throw new IllegalArgumentException(SnapshotName.RULE);
        }
        return name;
    }

    private static QuiescePolicy policy(String text) {
        try {
            return QuiescePolicy.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("use required, preferred or off");
        }
    }
}
