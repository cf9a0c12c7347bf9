package org.qmp4j.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;

/** Small helpers the snapshot tests share. */
final class SnapshotTesting {
    private SnapshotTesting() {
    }

    /** Runs a shell line in the guest; fails on a non-zero exit. */
    static String sh(GuestAgentClient ga, String script) {
        ExecResult r = ga.exec(ExecRequest.of("/bin/sh", "-c", script));
        if (!r.succeeded()) {
            throw new AssertionError("guest: " + script + " exited " + r.exitCode() + ": " + r.stderrText());
        }
        return r.stdoutText();
    }

    /** The workload's pass counter on a guest disk (see build-test-guest.sh). */
    static long workloadCounter(GuestAgentClient ga, String mount) {
        String out = sh(ga, "cat " + mount + "/qmp4j-workload/counter 2>/dev/null || echo 0").trim();
        return out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[0]);
    }

    /** Node names of ours (q4j-...) that QEMU still has. */
    static List<String> ourNodes(QmpClient qmp) {
        List<String> nodes = new ArrayList<>();
        for (JsonNode n : qmp.execute("query-named-block-nodes")) {
            String name = n.path("node-name").asText();
            if (name.startsWith("q4j-")) {
                nodes.add(name);
            }
        }
        return nodes;
    }

    /** The active node of each disk, in query-block order. */
    static List<String> activeNodes(QmpClient qmp) {
        return LiveSnapshots.of(qmp).disks().stream().map(BlockDisk::node).toList();
    }
}
