package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.FreezeOrder;
import org.qmp4j.snapshot.GroupMember;
import org.qmp4j.snapshot.GroupSnapshotRequest;
import org.qmp4j.snapshot.GroupSnapshotResult;
import org.qmp4j.snapshot.GroupSnapshots;
import org.qmp4j.snapshot.SnapshotRequest;

/**
 * {@code qmp4j snapshot --vm QMP[,QGA] --vm ...}: a group snapshot of several VMs with
 * {@link GroupSnapshots#take}, with the single snapshot's options applied to each VM.
 */
final class GroupSnapshotCommand {
    private GroupSnapshotCommand() {
    }

    /** One {@code --vm}: its QMP endpoint, and its agent's when given. */
    record VmSpec(Endpoint qmp, Optional<Endpoint> qga) {
        /** {@code QMP[,QGA]}: the first comma separates the two (no endpoint form contains one). */
        static VmSpec parse(String spec) {
            int comma = spec.indexOf(',');
            if (comma < 0) {
                return new VmSpec(CommonOptions.parseEndpoint(spec), Optional.empty());
            }
            return new VmSpec(CommonOptions.parseEndpoint(spec.substring(0, comma)),
                    Optional.of(CommonOptions.parseEndpoint(spec.substring(comma + 1))));
        }
    }

    static ExitCode run(ArgParser.Parsed args, SnapshotRequest options, PrintStream out, PrintStream err) {
        // Everything is read and checked before connecting: a usage error changes nothing.
        for (String single : List.of(SnapshotCommand.QGA, SnapshotCommand.MEMORY)) {
            if (args.value(single, s -> s).isPresent()) {
                throw new UsageException(single + " is for one VM: give each VM of a group with "
                        + SnapshotCommand.VM + " QMP[,QGA]");
            }
        }
        List<VmSpec> specs = new ArrayList<>();
        for (String value : args.values(SnapshotCommand.VM)) {
            VmSpec spec;
            try {
                spec = VmSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid " + SnapshotCommand.VM + " '" + value + "': " + e.getMessage());
            }
            if (specs.stream().anyMatch(s -> normalized(s.qmp()).equals(normalized(spec.qmp())))) {
                throw new UsageException(SnapshotCommand.VM + " " + spec.qmp() + " given more than once");
            }
            specs.add(spec);
        }
        FreezeOrder order = args.value(SnapshotCommand.FREEZE_ORDER, GroupSnapshotCommand::order)
                .orElse(FreezeOrder.PARALLEL);
        boolean json = CommonOptions.json(args);
        GroupSnapshots snapshots = args.value(CommonOptions.STATE_DIR, Path::of)
                .map(GroupSnapshots.create()::withStateDirectory).orElseGet(GroupSnapshots::create);

        CommonOptions.startThawGuardianEarly(specs.stream().map(VmSpec::qga).flatMap(Optional::stream).findFirst(),
                options);
        List<QmpClient> qmps = new ArrayList<>();
        List<GuestAgentClient> agents = new ArrayList<>();
        GroupSnapshotResult result;
        try {
            GroupSnapshotRequest.Builder request = GroupSnapshotRequest.builder(options).freezeOrder(order);
            for (VmSpec spec : specs) {
                QmpClient qmp = QmpClient.connect(CommonOptions.qmpOptions(spec.qmp()).build());
                qmps.add(qmp);
                GuestAgentClient agent = spec.qga().map(e -> CommonOptions.agent(e, qmp, CommonOptions.mayFreeze(options))).orElse(null);
                if (agent != null) {
                    agents.add(agent);
                }
                request.vm(GroupMember.of(qmp, agent));
            }
            GroupSnapshotRequest group;
            try {
                group = request.build();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            try (StopOnSignal stop = StopOnSignal.guardAll(agents, err, "group snapshot")) {
                result = snapshots.take(group);
            }
        } finally {
            closeAll(agents, qmps, err);
        }
        out.print(json ? CliJson.pretty(ResultJson.group(result, endpoints(specs))) + "\n"
                : ResultText.group(result, endpoints(specs)));
        return ExitCode.OK;
    }

    /**
     * The agents first (each thaws a freeze it still holds), then the QMP connections; each one
     * whatever the others do. A failure is said on {@code err}: it must not hide the snapshot's.
     */
    private static void closeAll(List<GuestAgentClient> agents, List<QmpClient> qmps, PrintStream err) {
        List<AutoCloseable> all = new ArrayList<>(agents);
        all.addAll(qmps);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                err.println("qmp4j: closing a connection failed: " + e.getMessage());
            }
        }
    }

    /** A UNIX socket by its absolute, normalised path: two spellings of one socket are one VM. */
    private static Endpoint normalized(Endpoint endpoint) {
        return endpoint instanceof Endpoint.Unix unix ? Endpoint.unix(unix.path().toAbsolutePath().normalize())
                : endpoint;
    }

    private static List<String> endpoints(List<VmSpec> specs) {
        return specs.stream().map(s -> s.qmp().toString()).toList();
    }

    private static FreezeOrder order(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "parallel" -> FreezeOrder.PARALLEL;
            case "in-order" -> FreezeOrder.IN_ORDER;
            default -> throw new IllegalArgumentException("use parallel or in-order");
        };
    }
}
