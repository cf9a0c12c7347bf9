package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.JournalException;
import org.qmp4j.snapshot.MergeFailedException;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merge ("delete snapshot") on a running VM: an active {@code block-commit} of the disk's top
 * overlay into the image right below it. Subscribes to the job's status before starting it,
 * waits for {@code ready}, {@code job-complete}, waits for {@code concluded}, reads the job's
 * error, {@code job-dismiss}, then removes the overlay's nodes (and its file, when asked).
 *
 * <p>On a failure or timeout the job is cancelled, waited for and dismissed, every file is kept,
 * and a {@link MergeFailedException} says what happened; the disk goes on writing to its overlay.
 * A disk that cannot be merged is refused before anything is changed ({@link MergePlan}).
 */
public final class MergeFlow {
    private static final Logger LOG = LoggerFactory.getLogger(MergeFlow.class);
    /** How long a cancelled job may take to end (it stops at its next request: normally at once). */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(60);
    /** Longer timeouts are taken as "no limit" (and keep nanoTime arithmetic away from overflow). */
    private static final Duration MAX_TIMEOUT = Duration.ofDays(365);
    private static final String JOB_PREFIX = "q4j-commit-";

    private final QmpClient qmp;
    private final MergeRequest request;
    private final Path stateDirectory;
    private final SnapshotFlow.Hooks hooks;

    public MergeFlow(QmpClient qmp, MergeRequest request) {
        this(qmp, request, StateDirectory.defaultPath(), SnapshotFlow.Hooks.NONE);
    }

    /** With {@code hooks}, the test seam: called as the started job is about to be driven. */
    public MergeFlow(QmpClient qmp, MergeRequest request, Path stateDirectory, SnapshotFlow.Hooks hooks) {
        this.qmp = qmp;
        this.request = request;
        this.stateDirectory = stateDirectory;
        this.hooks = hooks;
    }

    /**
     * Runs the merge, on record in the VM's journal from the plan on; a merge whose job may still
     * run when it fails stays unfinished there, for {@code recover}.
     */
    public MergeResult run() {
        Journal journal;
        try {
            journal = Journal.openForNewOperation(stateDirectory, StateDirectory.vmKey(qmp));
        } catch (JournalException e) {
            throw new MergeFailedException(e.getMessage(), e);
        }
        try (journal) {
            return run(journal);
        }
    }

    private MergeResult run(Journal journal) {
        long started = System.nanoTime();
        long deadline = started + min(request.timeout(), MAX_TIMEOUT).toNanos();
        MergePlan plan = MergePlan.of(qmp.schema(), BlockState.read(qmp, true), request.disk());
        String jobId = newJobId();
        Journal.Recorder record = journal.recorder(journal.begin(plan(plan, jobId)));
        try {
            MergeResult result = run(plan, jobId, started, deadline);
            record.end("done");
            return result;
        } catch (MergeFailedException e) {
            Uninterrupted.run(() -> {
                if (!jobMayStillRun(jobId)) {
                    record.end("failed");
                }
            });
            throw e;
        }
    }

    /**
     * Runs the merge as a step of an operation already on record, whose journal the caller holds:
     * a group member's snapshot merged back. The merge's plan goes into that record as a
     * {@value #MERGE_BACK_STEP} step before the job starts, so that {@code recover} can finish
     * the job; the record's end is the caller's.
     *
     * @throws MergeFailedException as {@link #run()}
     */
    public MergeResult runWithin(Journal.Recorder record) {
        long started = System.nanoTime();
        long deadline = started + min(request.timeout(), MAX_TIMEOUT).toNanos();
        MergePlan plan = MergePlan.of(qmp.schema(), BlockState.read(qmp, true), request.disk());
        String jobId = newJobId();
        Map<String, Object> fields = new LinkedHashMap<>();
        plan(plan, jobId).fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue()));
        fields.remove("op"); // a step, not an operation of its own
        record.step(MERGE_BACK_STEP, fields);
        return run(plan, jobId, started, deadline);
    }

    /** The step under which {@link #runWithin} records a merge's plan. */
    public static final String MERGE_BACK_STEP = "merge-back";

    private static String newJobId() {
        return JOB_PREFIX + RandomIds.hex8();
    }

    /** The merge's plan on record: enough for {@code recover} to finish it. */
    private ObjectNode plan(MergePlan plan, String jobId) {
        ObjectNode record = JsonTrees.object();
        record.put("op", "merge");
        record.put("vm", StateDirectory.vmKey(qmp));
        record.put("disk", plan.name());
        record.put("device", plan.disk().device());
        record.put("qdev", plan.disk().qdev());
        record.put("job", jobId);
        record.put("topNode", plan.top().node());
        record.put("topImage", plan.top().image().toString());
        record.put("topFormat", plan.top().format());
        record.put("baseImage", plan.base().image().toString());
        record.put("deleteOverlay", request.deleteOverlay());
        return record;
    }

    private boolean jobMayStillRun(String jobId) {
        try {
            for (JsonNode job : qmp.execute("query-jobs")) {
                if (jobId.equals(job.path("id").asText())) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true; // cannot tell: leave it to recover
        }
    }

    private MergeResult run(MergePlan plan, String jobId, long started, long deadline) {
        LOG.info("merging disk {}: {} ({}) into {} ({}), job {}", plan.name(), plan.top().node(), plan.top().image(),
                plan.base().node(), plan.base().image(), jobId);

        // subscribed before block-commit: no status change can be missed
        try (JobWatcher job = new JobWatcher(qmp, jobId, request.progress())) {
            if (start(job, plan)) {
                hooks.before("merge job started");
                drive(job, plan, deadline);
            }
        }
        BlockDisk now = currentDisk(plan).orElseThrow(() -> new MergeFailedException("disk " + plan.name()
                + " disappeared during the merge; overlay " + plan.top().image() + " kept", null));
        boolean deleted = new OverlayRemoval(qmp).remove(plan.top(), request.deleteOverlay());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("merged disk {} in {}: now on {} ({})", plan.name(), took, now.node(), now.image());
        return new MergeResult(now, plan.top().node(), plan.top().image(), deleted, took);
    }

    /** Starts the job; false only when it could not be confirmed, but the merge happened anyway. */
    private boolean start(JobWatcher job, MergePlan plan) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job-id", job.id());
        args.put("device", plan.top().node());
        // without a base QEMU commits down to the bottom of the chain, not into the next image
        if (plan.base().node() != null) {
            args.put("base-node", plan.base().node());
        } else {
            args.put("base", plan.base().image().toString());
        }
        args.put("auto-dismiss", false);
        try {
            qmp.execute("block-commit", args);
            return true;
        } catch (CommandException e) {
            // QEMU checks before it creates the job: nothing was changed
            throw MergePlan.refused("QEMU refused block-commit on disk " + plan.name() + ": " + e.description(), e);
        } catch (ConnectionClosedException e) {
            throw lost(job, plan, e);
        } catch (Qmp4jException e) {
            // e.g. no reply in time: the job may exist, so end it like any other failure
            abandon(job, plan, "block-commit did not answer: " + e.getMessage(), e);
            return false;
        }
    }

    /** Drives the started job to its end; returns only when the disk uses the base image now. */
    private void drive(JobWatcher job, MergePlan plan, long deadline) {
        try {
            if (job.await(JobWatcher.READY, deadline).equals(JobWatcher.READY)) {
                qmp.execute("job-complete", Map.of("id", job.id()));
                job.await(JobWatcher.CONCLUDED, deadline);
            }
        } catch (JobWatcher.DeadlineException e) {
            String when = e.status().equals(JobWatcher.UNKNOWN) ? "right after it started"
                    : "while the job was " + e.status();
            abandon(job, plan, "timed out after " + request.timeout() + " " + when, e);
            return;
        } catch (ConnectionClosedException e) {
            throw lost(job, plan, e);
        } catch (Qmp4jException e) {
            abandon(job, plan, e.getMessage(), e);
            return;
        }
        // the job ended by itself: it succeeded only if it has no error and the disk moved
        Optional<JobInfo> info = job.query();
        String error = info.map(JobInfo::error).orElse(null);
        String dismissed = job.dismissQuietly();
        if (error == null && switchedToBase(plan)) {
            return;
        }
        String what = error != null ? "the commit job failed: " + error
                : "the commit job ended as " + info.map(JobInfo::status).orElse("gone") + " without switching the disk";
        throw failed(job, plan, what + "; " + dismissed, null);
    }

    /**
     * Ends a job that must not go on: cancel, wait for it to conclude, dismiss. Returns normally
     * only if the job had completed the merge anyway (a cancel that came too late: the disk uses
     * the base image now); otherwise throws the failure.
     */
    private void abandon(JobWatcher job, MergePlan plan, String what, Exception cause) {
        LOG.warn("merge of disk {} failed ({}), cancelling job {}", plan.name(), what, job.id());
        Uninterrupted.run(() -> { // also after an interrupt: the job must not go on alone
            JobWatcher.Cancelled end = job.cancel(CANCEL_GRACE);
            if (end.ended() && switchedToBase(plan)) {
                LOG.warn("job {} completed the merge before the cancel took effect: keeping the result", job.id());
                return;
            }
            throw failed(job, plan, what + "; " + end.note(), cause);
        });
    }

    private Optional<BlockDisk> currentDisk(MergePlan plan) {
        return BlockState.read(qmp, false).sameDevice(plan.disk());
    }

    /** Whether the disk left the overlay for the base image (the commit's final switch). */
    private boolean switchedToBase(MergePlan plan) {
        return currentDisk(plan)
                .filter(now -> !plan.top().node().equals(now.node()) && plan.base().image().equals(now.image()))
                .isPresent();
    }

    private static MergeFailedException failed(JobWatcher job, MergePlan plan, String what, Throwable cause) {
        // a commit writes into the base as it goes, and a cancel does not undo that
        String copied = job.current() <= 0 ? ""
                : "; " + job.current() + " bytes of the overlay were already copied into " + plan.base().image()
                        + ", which is now consistent only beneath the overlay";
        return new MergeFailedException("merge of disk " + plan.name() + " failed: " + what + "; the disk still writes to "
                + plan.top().node() + " (" + plan.top().image() + "), every file kept" + copied, cause);
    }

    private static MergeFailedException lost(JobWatcher job, MergePlan plan, Throwable cause) {
        return new MergeFailedException("lost the QMP connection during the merge of disk " + plan.name() + ": job "
                + job.id() + " may still run; every file kept (overlay " + plan.top().image() + ")", cause);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
