package org.qmp4j.snapshot;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.GroupSnapshotFlow;

/**
 * A group snapshot's controller in a JVM of its own, for {@link GroupCrashIT}, which kills it.
 * Args: state directory, the VM index and step to stop at, a VM whose transaction is made to fail
 * (its overlay node deleted as the transaction is about to go; -1 for none), then a QMP and an
 * agent socket per VM. Prints {@code AT <vm> <step>} as each step starts; at the named one it
 * waits for a line on stdin.
 */
public final class GroupCrashingController {
    private GroupCrashingController() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        int stopVm = Integer.parseInt(args[1]);
        String stopAt = args[2];
        int failVm = Integer.parseInt(args[3]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<QmpClient> qmps = new ArrayList<>();
        List<GuestAgentClient> agents = new ArrayList<>();
        GroupSnapshotRequest.Builder request = GroupSnapshotRequest.builder(SnapshotRequest.builder("gcrash")
                .quiesce(QuiescePolicy.REQUIRED).build());
        for (int i = 4; i + 1 < args.length; i += 2) {
            QmpClient qmp = QmpClient.connect(Path.of(args[i]));
            GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(Path.of(args[i + 1])))
                    .qmp(qmp).build());
            qmps.add(qmp);
            agents.add(ga);
            request.vm(GroupMember.of(qmp, ga));
        }
        new GroupSnapshotFlow(request.build(), state, (vm, step) -> {
            System.out.println("AT " + vm + " " + step);
            System.out.flush();
            if (vm == failVm && step.equals("transaction")) {
                String overlay = SnapshotTesting.ourNodes(qmps.get(vm)).stream().filter(n -> !n.endsWith("-f"))
                        .findFirst().orElseThrow();
                qmps.get(vm).execute("blockdev-del", java.util.Map.of("node-name", overlay));
            }
            if (vm == stopVm && step.equals(stopAt)) {
                try {
                    in.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }).run();
        System.out.println("AT end");
        agents.forEach(GuestAgentClient::close);
        qmps.forEach(QmpClient::close);
    }
}
