package org.qmp4j.snapshot.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonFields;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpEvent;
import org.qmp4j.snapshot.JobFailedException;
import org.qmp4j.snapshot.JobTimeoutException;
import org.qmp4j.snapshot.MergeProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one follower of QEMU jobs (the overlays' {@code blockdev-create}, the merge's
 * {@code block-commit}): follows one job by id, subscribed to its {@code JOB_STATUS_CHANGE} events
 * from construction (so create it before starting the job), and polling {@code query-jobs} for
 * progress while it waits. Reports every change of status or progress to a listener. Closing
 * unsubscribes.
 */
final class JobWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);
    static final String EVENT = "JOB_STATUS_CHANGE";
    static final String READY = "ready";
    static final String CONCLUDED = "concluded";
    /** The status before the first event or poll. */
    static final String UNKNOWN = "unknown";
    /** The status of a job that is gone (dismissed). */
    static final String GONE = "null";
    /** How often progress is read while waiting. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** How long a cancelled create job may take to conclude before it is given up on. */
    private static final Duration CREATE_CANCEL_GRACE = Duration.ofSeconds(10);

    /**
     * Sends {@code command}, which starts the job {@code jobId} (created with auto-dismiss off, or a
     * job type that waits for dismissal), waits until it concludes, and dismisses it.
     *
     * @throws JobFailedException with QEMU's error when the job concluded with one
     * @throws JobTimeoutException when it did not conclude within {@code timeout} (it is cancelled
     *         and dismissed)
     */
    static void runToConclusion(QmpClient qmp, String command, Object arguments, String jobId, Duration timeout) {
        try (JobWatcher job = new JobWatcher(qmp, jobId, p -> { })) {
            qmp.execute(command, arguments);
            long now = System.nanoTime();
            try {
                // Subscribed before the start: the events tell when it concludes. No progress is
                // wanted, so the first poll waits a whole interval (most such jobs are done by then).
                job.await(CONCLUDED, now + timeout.toNanos(), now + POLL_INTERVAL.toNanos());
            } catch (DeadlineException e) {
                job.cancel(CREATE_CANCEL_GRACE);
                throw new JobTimeoutException(command, jobId, timeout);
            }
            // the entry read when it concluded holds its error; read it again only if there is none
            String error = job.concludedEntry().or(job::query).map(JobInfo::error).orElse(null);
            if (!job.status().equals(GONE)) {
                job.dismiss();
            }
            if (error != null) {
                throw new JobFailedException(command, jobId, error);
            }
        }
    }

    /** How a cancelled job ended: whether it is over, and what to tell the caller. */
    record Cancelled(boolean ended, String note) {
    }

    /** {@code job-cancel}, wait up to {@code grace} for {@code concluded}, {@code job-dismiss}; never throws. */
    Cancelled cancel(Duration grace) {
        try {
            qmp.execute("job-cancel", Map.of("id", jobId));
        } catch (CommandException e) {
            // already concluded, or never created: found out below
            LOG.debug("job-cancel {}: {}", jobId, e.getMessage());
        } catch (Qmp4jException e) {
            return new Cancelled(false, "could not cancel job " + jobId + " (" + e.getMessage() + "): it may still run");
        }
        try {
            await(CONCLUDED, System.nanoTime() + grace.toNanos());
        } catch (DeadlineException e) {
            return new Cancelled(false, "job " + jobId + " did not end within " + grace
                    + " of job-cancel: it may still run");
        } catch (Qmp4jException e) {
            return new Cancelled(false, "lost track of job " + jobId + " after job-cancel (" + e.getMessage()
                    + "): it may still run");
        }
        if (status.equals(GONE)) {
            return new Cancelled(true, "job " + jobId + " is gone");
        }
        String error;
        try {
            error = query().map(JobInfo::error).orElse(null);
        } catch (Qmp4jException e) {
            return new Cancelled(true, "job " + jobId + " concluded; its outcome is unknown (" + e.getMessage() + ")");
        }
        return new Cancelled(true, "job " + jobId + (error == null ? " ended without error" : " cancelled (" + error + ")")
                + " and " + dismissQuietly());
    }

    /** {@code job-dismiss}, saying how it went ("dismissed", or why not) instead of throwing. */
    String dismissQuietly() {
        try {
            dismiss();
            return "dismissed";
        } catch (Qmp4jException e) {
            return "could not be dismissed (" + e.getMessage() + ")";
        }
    }

    /** The deadline passed before the job reached the wanted status. */
    static final class DeadlineException extends Qmp4jException {
        private static final long serialVersionUID = 1L;
        private final String status;

        DeadlineException(String jobId, String wanted, String status) {
            super("job " + jobId + " was not " + wanted + " in time (last status: " + status + ")");
            this.status = status;
        }

        /** The job's status when the deadline passed. */
        String status() {
            return status;
        }
    }

    private final QmpClient qmp;
    private final String jobId;
    private final Consumer<MergeProgress> listener;
    private final EventSubscription events;
    private String status = UNKNOWN;
    private long current;
    private long total;
    private MergeProgress reported;
    /** The job's entry in the last {@code query-jobs} answer; null when it had none. */
    private JobInfo lastEntry;
    /** Inside {@link #query()}: the events it drains are reported as they are. */
    private boolean querying;

    JobWatcher(QmpClient qmp, String jobId, Consumer<MergeProgress> listener) {
        this.qmp = qmp;
        this.jobId = jobId;
        this.listener = listener;
        // a job sees at most ~10 status changes: the queue never fills
        this.events = qmp.subscribe(EventFilter.named(EVENT, "id", jobId), 64, OverflowPolicy.DROP_OLDEST);
    }

    String id() {
        return jobId;
    }

    /** The last status seen ({@link #UNKNOWN} before any). */
    String status() {
        return status;
    }

    /**
     * Waits until the job is {@code wanted}, or ended ({@code concluded} or gone), whichever comes
     * first; returns the status it reached.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @throws DeadlineException when neither happened before {@code deadline}
     */
    String await(String wanted, long deadline) {
        return await(wanted, deadline, System.nanoTime());
    }

    /** {@link #await(String, long)}, polling first at {@code firstPoll} (a {@link System#nanoTime()} value). */
    private String await(String wanted, long deadline, long firstPoll) {
        long nextPoll = firstPoll;
        while (!status.equals(wanted) && !ended()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new DeadlineException(jobId, wanted, status);
            }
            if (now - nextPoll >= 0) {
                query();
                nextPoll = now + POLL_INTERVAL.toNanos();
                continue;
            }
            long wait = Math.min(nextPoll - now, deadline - now);
            events.poll(Duration.ofNanos(wait)).ifPresent(this::onEvent);
        }
        return status;
    }

    /** Whether the job concluded or is gone. */
    boolean ended() {
        return status.equals(CONCLUDED) || status.equals(GONE);
    }

    /** Work done as last seen (bytes copied, for a commit). */
    long current() {
        return current;
    }

    /** The job's {@code query-jobs} entry now, if it still exists; updates status and progress. */
    Optional<JobInfo> query() {
        return apply(fetch());
    }

    private JobInfo[] fetch() {
        return Json.decode("query-jobs", qmp.execute("query-jobs"), r -> JsonFields.elements(r, JobInfo::from))
                .toArray(JobInfo[]::new);
    }

    /** The job's {@code query-jobs} entry last read, if it showed the job concluded. */
    private Optional<JobInfo> concludedEntry() {
        return Optional.ofNullable(lastEntry).filter(j -> CONCLUDED.equals(j.status()));
    }

    /** Takes in a {@code query-jobs} answer: first the events queued before it, then the job's entry. */
    private Optional<JobInfo> apply(JobInfo[] jobs) {
        querying = true;
        try {
            reportQueuedEvents(); // the statuses the job passed through before this answer, in order
        } finally {
            querying = false;
        }
        Optional<JobInfo> job = find(jobs);
        lastEntry = job.orElse(null);
        if (job.isPresent()) {
            JobInfo j = job.get();
            update(j.status(), progress(j.status(), current, j.currentProgress()),
                    progress(j.status(), total, j.totalProgress()));
        } else {
            update(GONE, current, total);
        }
        return job;
    }

    private Optional<JobInfo> find(JobInfo[] jobs) {
        for (JobInfo job : jobs) {
            if (jobId.equals(job.id())) {
                return Optional.of(job);
            }
        }
        return Optional.empty();
    }

    /** Some QEMU versions report a concluded job's progress as 0 of 0: a concluded job keeps what it reached. */
    private static long progress(String status, long before, long reported) {
        return CONCLUDED.equals(status) ? Math.max(before, reported) : reported;
    }

    /** {@code job-dismiss}: removes the concluded job. */
    void dismiss() {
        qmp.execute("job-dismiss", Map.of("id", jobId));
        update(GONE, current, total);
    }

    /**
     * Takes the events already queued. Every event QEMU sent before a reply is queued before that
     * reply is delivered, so after {@code query-jobs} this holds every earlier status change.
     */
    private void reportQueuedEvents() {
        for (Optional<QmpEvent> e = events.poll(Duration.ZERO); e.isPresent(); e = events.poll(Duration.ZERO)) {
            onEvent(e.get());
        }
    }

    private void onEvent(QmpEvent event) {
        String s = event.data("status").asText("");
        if (s.isEmpty()) {
            return;
        }
        if ((s.equals(READY) || s.equals(CONCLUDED)) && !querying) {
            // A milestone is reported with the progress the job has then, not the last poll's (a
            // short job can get there before any poll saw it move); what came after it, after it.
            JobInfo[] jobs = fetch();
            Optional<JobInfo> job = find(jobs);
            update(s, job.map(j -> progress(s, current, j.currentProgress())).orElse(current),
                    job.map(j -> progress(s, total, j.totalProgress())).orElse(total));
            apply(jobs);
            return;
        }
        update(s, current, total);
    }

    private void update(String newStatus, long newCurrent, long newTotal) {
        // a late event must not revive an ended job: concluded only ever turns into gone
        status = ended() && !GONE.equals(newStatus) ? status : newStatus;
        current = newCurrent;
        total = newTotal;
        MergeProgress p = new MergeProgress(jobId, status, current, total);
        if (Objects.equals(p, reported)) {
            return;
        }
        reported = p;
        try {
            listener.accept(p);
        } catch (RuntimeException e) {
            // the caller's callback must not break the merge
            LOG.warn("merge progress callback failed for {}", p, e);
        }
    }

    @Override
    public void close() {
        events.close();
    }
}
