package org.qmp4j.snapshot.internal;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.Qmp4jException;
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

    /**
     * Decides what needs no agent at once, and starts asking the guest agent, when it is still a
     * question, without waiting: its answers do not depend on what preflight reads from QEMU
     * meanwhile, and an agent in a guest is slow to answer (several round trips of milliseconds
     * each under TCG). {@link Pending#decide} ends it.
     */
    static Pending start(SnapshotRequest request, StatusInfo status, GuestAgentClient agent) {
        String reason = obstacleWithoutAgent(request, status, agent);
        return new Pending(request, reason != null ? CompletableFuture.completedFuture(reason)
                : askAgent(request, agent));
    }

    /** Why the guest cannot be frozen whatever its agent says, or {@code null}. */
    private static String obstacleWithoutAgent(SnapshotRequest request, StatusInfo status, GuestAgentClient agent) {
        if (request.quiesce() == QuiescePolicy.OFF) {
            return "quiesce policy is OFF";
        }
        if (request.memoryFile().isPresent()) {
            return "a snapshot with memory is never quiesced (the VM is paused while RAM is saved)";
        }
        if (!status.running()) {
            return "the VM is not running (" + status.status() + "): a paused guest cannot freeze";
        }
        if (agent == null) {
            return "no guest agent connection was given";
        }
        return null;
    }

    /** Why the agent cannot freeze the guest now ({@code null} if it can); a failed agent fails it. */
    private static CompletableFuture<String> askAgent(SnapshotRequest request, GuestAgentClient agent) {
        String freeze = request.mountpoints().isEmpty() ? "guest-fsfreeze-freeze" : "guest-fsfreeze-freeze-list";
        try {
            return agent.readinessAsync(List.of("guest-fsfreeze-status", freeze, "guest-fsfreeze-thaw"))
                    .thenCompose(readiness -> readiness.ready()
                            ? agent.fsfreezeStatusAsync().thenApply(QuiesceDecision::alreadyFrozen)
                            : CompletableFuture.completedFuture(readiness.obstacle()));
        } catch (Qmp4jException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String alreadyFrozen(FreezeStatus status) {
        return status == FreezeStatus.THAWED ? null
                : "the guest's file systems are " + status.name().toLowerCase(Locale.ROOT) + " already (by someone else?)";
    }

    /** The decision, once the agent (when it was asked) has answered. */
    static final class Pending {
        private final SnapshotRequest request;
        private final CompletableFuture<String> obstacle; // completes with null when nothing stands in the way

        private Pending(SnapshotRequest request, CompletableFuture<String> obstacle) {
            this.request = request;
            this.obstacle = obstacle;
        }

        /** Decides: REQUIRED fails when the guest cannot be frozen, PREFERRED goes on without. */
        QuiesceDecision decide() {
            String reason;
            try {
                reason = Blocking.await(obstacle);
            } catch (Qmp4jException e) {
                reason = "the guest agent failed: " + e.getMessage();
            }
            if (reason == null) {
                return new QuiesceDecision(true, null);
            }
            if (request.quiesce() == QuiescePolicy.REQUIRED) {
                throw new Preflight.PreflightRefusal("quiescing is required but " + reason);
            }
            return skip(reason);
        }

        /** No decision will be made (preflight failed): the agent's answer is not waited for. */
        void abandon() {
            obstacle.cancel(false);
        }
    }

    private static QuiesceDecision skip(String reason) {
        return new QuiesceDecision(false, reason);
    }
}
