package org.qmp4j.snapshot.internal;

import java.util.List;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qga.AgentReadiness;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.StatusInfo;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotRequest;

/**
 * Whether this snapshot can be quiesced, decided before anything is created: REQUIRED fails here
 * when it cannot, PREFERRED goes on crash-consistent with the reason.
 *
 * @param quiesce whether to freeze
 * @param skippedReason why not, when not
 */
record QuiesceDecision(boolean quiesce, String skippedReason) {

    static QuiesceDecision decide(SnapshotRequest request, StatusInfo status, GuestAgentClient agent) {
        if (request.quiesce() == QuiescePolicy.OFF) {
            return skip("quiesce policy is OFF");
        }
        String reason = obstacle(request, status, agent);
        if (reason == null) {
            return new QuiesceDecision(true, null);
        }
        if (request.quiesce() == QuiescePolicy.REQUIRED) {
            throw new Preflight.PreflightRefusal("quiescing is required but " + reason);
        }
        return skip(reason);
    }

    /** Why the guest cannot be frozen now, or {@code null} if it can. */
    private static String obstacle(SnapshotRequest request, StatusInfo status, GuestAgentClient agent) {
        if (request.memoryFile().isPresent()) {
            return "a snapshot with memory is never quiesced (the VM is paused while RAM is saved)";
        }
        if (!status.running()) {
            return "the VM is not running (" + status.status() + "): a paused guest cannot freeze";
        }
        if (agent == null) {
            return "no guest agent connection was given";
        }
        try {
            String freeze = request.mountpoints().isEmpty() ? "guest-fsfreeze-freeze" : "guest-fsfreeze-freeze-list";
            AgentReadiness readiness = agent.readiness(List.of("guest-fsfreeze-status", freeze, "guest-fsfreeze-thaw"));
            if (!readiness.ready()) {
                return readiness.obstacle();
            }
            FreezeStatus frozen = agent.fsfreezeStatus();
            if (frozen != FreezeStatus.THAWED) {
                return "the guest's file systems are " + frozen.name().toLowerCase(java.util.Locale.ROOT)
                        + " already (by someone else?)";
            }
        } catch (Qmp4jException e) {
            return "the guest agent failed: " + e.getMessage();
        }
        return null;
    }

    private static QuiesceDecision skip(String reason) {
        return new QuiesceDecision(false, reason);
    }
}
