package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpEvent;
import org.qmp4j.snapshot.JobFailedException;
import org.qmp4j.snapshot.JobTimeoutException;

/** Runs a QMP job to its end: start it, follow JOB_STATUS_CHANGE, read its error, dismiss it. */
final class Jobs {
    private Jobs() {
    }

    /**
     * Sends {@code command} (which starts the job {@code jobId}, created with auto-dismiss off or
     * a job type that waits for dismissal) and waits until it concludes, then dismisses it. The
     * subscription is made before the command, so no status change is missed.
     *
     * @throws JobFailedException with the job's error
     * @throws JobTimeoutException on timeout (the job is cancelled and dismissed)
     */
    static void runToConclusion(QmpClient qmp, String command, Object arguments, String jobId, Duration timeout) {
        try (EventSubscription events = qmp.subscribe(EventFilter.named("JOB_STATUS_CHANGE", "id", jobId))) {
            qmp.execute(command, arguments);
            if (!awaitStatus(events, "concluded", timeout)) {
                cancelAndDismiss(qmp, jobId, events);
                throw new JobTimeoutException(command, jobId, timeout);
            }
        }
        Optional<String> error = error(qmp, jobId);
        qmp.execute("job-dismiss", Map.of("id", jobId));
        error.ifPresent(e -> {
            throw new JobFailedException(command, jobId, e);
        });
    }

    /** Waits for the job to reach {@code status}; false on timeout. */
    static boolean awaitStatus(EventSubscription events, String status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Optional<QmpEvent> event = events.poll(Duration.ofNanos(left));
            if (event.isPresent() && status.equals(event.get().data("status").asText())) {
                return true;
            }
        }
    }

    /** The error a concluded job reported, if any. */
    static Optional<String> error(QmpClient qmp, String jobId) {
        for (JsonNode job : qmp.execute("query-jobs")) {
            if (jobId.equals(job.path("id").asText()) && job.hasNonNull("error")) {
                return Optional.of(job.get("error").asText());
            }
        }
        return Optional.empty();
    }

    /** Cancels a job, waits (briefly) for it to conclude and dismisses it; best effort. */
    static void cancelAndDismiss(QmpClient qmp, String jobId, EventSubscription events) {
        try {
            qmp.execute("job-cancel", Map.of("id", jobId));
            awaitStatus(events, "concluded", Duration.ofSeconds(10));
            qmp.execute("job-dismiss", Map.of("id", jobId));
        } catch (Qmp4jException ignored) {
            // the job may have ended meanwhile; the caller reports the original problem
        }
    }
}
