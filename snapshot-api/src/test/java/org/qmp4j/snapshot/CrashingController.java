package org.qmp4j.snapshot;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.MergeFlow;
import org.qmp4j.snapshot.internal.SnapshotFlow;
import org.qmp4j.testkit.GuardianProcesses;

/**
 * A controller in a JVM of its own, for {@link CrashMatrixIT}, which kills it (SIGKILL) at one
 * point of an operation. Args: QMP socket, agent socket, state directory, operation
 * ({@code snapshot}, {@code memory FILE} or {@code merge DISK}), the point to stop at. Prints
 * {@code GUARDIAN <pid>} once connected and {@code AT <step>} as each step starts; at the named
 * point it waits for a line on stdin ({@code GO} goes on) — the killer's moment.
 */
public final class CrashingController {
    private CrashingController() {
    }

    /** The thaw guardian the agent client started for this process. */
    private static long guardianPid() {
        return GuardianProcesses.of(ProcessHandle.current().pid(), Duration.ofSeconds(10)).map(ProcessHandle::pid)
                .orElse(-1L);
    }

    public static void main(String[] args) throws Exception {
        Path qmpSocket = Path.of(args[0]);
        Path agentSocket = Path.of(args[1]);
        Path state = Path.of(args[2]);
        String op = args[3];
        String arg = args[4];
        String stopAt = args[5];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        SnapshotFlow.Hooks hooks = step -> {
            System.out.println("AT " + step);
            System.out.flush();
            if (step.equals(stopAt)) {
                try {
                    in.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        try (QmpClient qmp = QmpClient.connect(qmpSocket);
             GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(agentSocket))
                     .qmp(qmp).build())) {
            System.out.println("GUARDIAN " + guardianPid());
            System.out.flush();
            switch (op) {
                case "snapshot" -> new SnapshotFlow(qmp, ga, SnapshotRequest.builder(arg)
                        .quiesce(QuiescePolicy.REQUIRED).build(), hooks, state).run();
                case "memory" -> new SnapshotFlow(qmp, ga, SnapshotRequest.builder("mem").quiesce(QuiescePolicy.OFF)
                        .memoryFile(Path.of(arg)).build(), hooks, state).run();
                case "merge" -> new MergeFlow(qmp, MergeRequest.builder(arg).build(), state, hooks).run();
                default -> throw new IllegalArgumentException(op);
            }
            System.out.println("AT end");
            System.out.flush();
        }
    }
}
