package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.qmp4j.qga.AgentReadiness;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.StatusInfo;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotRequest;

/**
 * The quiesce decision is asked of the agent when it starts, not when it is decided, so that the
 * agent's round trips overlap the rest of preflight; and only when an answer could change it.
 */
class QuiesceDecisionTest {
    private static final StatusInfo RUNNING = new StatusInfo(true, "running");
    private static final StatusInfo PAUSED = new StatusInfo(false, "paused");

    /** An agent whose answers the test gives, recording what it was asked. */
    private static final class ScriptedAgent {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final CompletableFuture<AgentReadiness> readiness = new CompletableFuture<>();
        final CompletableFuture<FreezeStatus> status = new CompletableFuture<>();
        final GuestAgentClient client = (GuestAgentClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {GuestAgentClient.class}, (proxy, method, args) -> {
                    asked.add(method.getName());
                    return switch (method.getName()) {
                        case "readinessAsync" -> readiness;
                        case "fsfreezeStatusAsync" -> status;
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    @Test
    void theAgentIsAskedAtTheStartAndTheDecisionWaitsForItsAnswer() {
        ScriptedAgent agent = new ScriptedAgent();
        QuiesceDecision.Pending pending = QuiesceDecision.start(request(QuiescePolicy.PREFERRED), RUNNING, agent.client);
        assertThat(agent.asked).containsExactly("readinessAsync");

        agent.readiness.complete(new AgentReadiness(true, List.of()));
        assertThat(agent.asked).containsExactly("readinessAsync", "fsfreezeStatusAsync");
        agent.status.complete(FreezeStatus.THAWED);
        assertThat(pending.decide()).isEqualTo(new QuiesceDecision(true, null));
    }

    @Test
    void aPausedVmOrQuiescingOffOrAMemorySnapshotNeverAsksTheAgent() {
        ScriptedAgent agent = new ScriptedAgent();
        assertThat(QuiesceDecision.start(request(QuiescePolicy.PREFERRED), PAUSED, agent.client).decide()
                .skippedReason()).contains("not running (paused)");
        assertThat(QuiesceDecision.start(request(QuiescePolicy.OFF), RUNNING, agent.client).decide()
                .skippedReason()).isEqualTo("quiesce policy is OFF");
        SnapshotRequest memory = SnapshotRequest.builder("s").quiesce(QuiescePolicy.PREFERRED)
                .memoryFile(Path.of("/tmp/ram")).build();
        assertThat(QuiesceDecision.start(memory, RUNNING, agent.client).decide().quiesce()).isFalse();
        assertThat(agent.asked).isEmpty();

        assertThatThrownBy(() -> QuiesceDecision.start(request(QuiescePolicy.REQUIRED), PAUSED, agent.client).decide())
                .isInstanceOf(Preflight.PreflightRefusal.class).hasMessageContaining("quiescing is required but");
        assertThat(QuiesceDecision.start(request(QuiescePolicy.PREFERRED), RUNNING, null).decide().skippedReason())
                .isEqualTo("no guest agent connection was given");
    }

    @Test
    void whatTheAgentSaysDecides() {
        ScriptedAgent absent = new ScriptedAgent();
        QuiesceDecision.Pending pending = QuiesceDecision.start(request(QuiescePolicy.PREFERRED), RUNNING, absent.client);
        absent.readiness.complete(new AgentReadiness(false, List.of()));
        assertThat(pending.decide().skippedReason()).isEqualTo("the guest agent does not answer");

        ScriptedAgent frozen = new ScriptedAgent();
        pending = QuiesceDecision.start(request(QuiescePolicy.PREFERRED), RUNNING, frozen.client);
        frozen.readiness.complete(new AgentReadiness(true, List.of()));
        frozen.status.complete(FreezeStatus.FROZEN);
        assertThat(pending.decide().skippedReason()).contains("frozen already");

        ScriptedAgent failing = new ScriptedAgent();
        pending = QuiesceDecision.start(request(QuiescePolicy.REQUIRED), RUNNING, failing.client);
        failing.readiness.completeExceptionally(new GuestAgentAbsentException("the agent went away", null));
        QuiesceDecision.Pending required = pending;
        assertThatThrownBy(required::decide).isInstanceOf(Preflight.PreflightRefusal.class)
                .hasMessageContaining("the guest agent failed: the agent went away");
    }

    @Test
    void anAbandonedDecisionStopsWaitingForTheAgent() {
        ScriptedAgent agent = new ScriptedAgent();
        QuiesceDecision.Pending pending = QuiesceDecision.start(request(QuiescePolicy.PREFERRED), RUNNING, agent.client);
        pending.abandon();
        agent.readiness.complete(new AgentReadiness(true, List.of()));
        assertThat(agent.asked).as("nothing more is asked of it").containsExactly("readinessAsync");
    }

    private static SnapshotRequest request(QuiescePolicy policy) {
        return SnapshotRequest.builder("s").quiesce(policy).build();
    }
}
