package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * The preflight's read-only queries go out together: the monitor here answers {@code query-status}
 * only once it has received the other four (or, if they never come, after two seconds), so a
 * preflight that waited for each reply before the next question would see the late answer.
 */
class PreflightPipelineTest {
    private static final Set<String> OTHERS = Set.of("query-jobs", "query-migrate", "query-block", "query-fdsets");
    private final ScheduledExecutorService fallback = Executors.newSingleThreadScheduledExecutor();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicReference<JsonNode> statusRequest = new AtomicReference<>();
    private final AtomicBoolean answeredAfterAll = new AtomicBoolean();
    private FakeQmpPeer peer;

    @AfterEach
    void cleanUp() {
        fallback.shutdownNow();
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void theQueriesGoOutBeforeTheStatusIsAwaited() {
        peer = FakeQmpPeer.builder().handler(this::answer).start();
        try (QmpClient qmp = QmpClient.connect(peer.socket())) {
            Preflight preflight = new Preflight(qmp, SnapshotRequest.builder("s1").build());

            // a VM being migrated in is refused at its status, after which nothing else is needed
            assertThatThrownBy(() -> preflight.run(status -> { }))
                    .isInstanceOf(Preflight.PreflightRefusal.class).hasMessageContaining("'inmigrate'");
            assertThat(answeredAfterAll).as("query-status answered once the other four had arrived").isTrue();
        }
    }

    private List<PeerAction> answer(JsonNode request) {
        String command = QmpMessages.command(request);
        switch (command) {
            case "query-status" -> {
                statusRequest.set(request);
                fallback.schedule(() -> answerStatus(false), 2, TimeUnit.SECONDS);
                return List.of();
            }
            case "query-migrate" -> {
                return reply(request, command, Map.of());
            }
            case "query-jobs", "query-block", "query-fdsets" -> {
                return reply(request, command, List.of());
            }
            case "qmp_capabilities" -> {
                return FakeQmpPeer.defaultActions(request);
            }
            default -> { // the schema's questions: an empty answer (the refusal comes before it is needed)
                return List.of(PeerAction.reply(request, List.of()));
            }
        }
    }

    private List<PeerAction> reply(JsonNode request, String command, Object value) {
        seen.add(command);
        if (seen.containsAll(OTHERS)) {
            fallback.execute(() -> answerStatus(true));
        }
        return List.of(PeerAction.reply(request, value));
    }

    private synchronized void answerStatus(boolean afterAll) {
        JsonNode request = statusRequest.getAndSet(null);
        if (request != null) {
            answeredAfterAll.set(afterAll);
            peer.sendLine(QmpMessages.reply(request, Map.of("status", "inmigrate", "running", false,
                    "singlestep", false)));
        }
    }
}
