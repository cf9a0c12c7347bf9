package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.qmp4j.qmp.CommandException;
import org.qmp4j.qmp.ConnectionClosedException;
import org.qmp4j.qmp.Qmp4jException;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpSchema;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.MergeFailedException;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merge ("delete snapshot") on a running VM: an active {@code block-commit} of the disk's top
 * overlay into its backing image. Subscribes to the job's status before starting it, waits for
 * {@code ready}, {@code job-complete}, waits for {@code concluded}, reads the job's error,
 * {@code job-dismiss}, then removes the overlay's nodes (and its file, when asked).
 *
 * <p>On a failure or timeout the job is cancelled and dismissed, every file is kept, and a
 * {@link MergeFailedException} says what happened; the disk goes on writing to its overlay.
 * A disk that cannot be merged is refused before anything is changed.
 */
public final class MergeFlow {
    private static final Logger LOG = LoggerFactory.getLogger(MergeFlow.class);
    /** How long a cancelled job may take to end (it stops at its next request: normally at once). */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(60);
    /** Longer timeouts are taken as "no limit" (and keep nanoTime arithmetic away from overflow). */
    private static final Duration MAX_TIMEOUT = Duration.ofDays(365);
    private static final String JOB_PREFIX = "q4j-commit-";
    private static final List<String> JOB_COMMANDS = List.of("query-jobs", "job-complete", "job-cancel", "job-dismiss");

    private final QmpClient qmp;
    private final MergeRequest request;

    public MergeFlow(QmpClient qmp, MergeRequest request) {
        this.qmp = qmp;
        this.request = request;
    }

    /** Runs the merge; see the class comment. */
    public MergeResult run() {
        long started = System.nanoTime();
        long deadline = started + min(request.timeout(), MAX_TIMEOUT).toNanos();
        checkSupport(qmp.schema());
        BlockState before = BlockState.read(qmp, true);
        BlockDisk disk = findDisk(before);
        DiskChain chain = before.chain(disk);
        refuseUnmergeable(before, disk, chain);
        ChainLayer top = chain.layers().get(0);
        ChainLayer base = chain.layers().get(1);
        if (base.node() == null && !qmp.schema().hasArgument("block-commit", "base")) {
            throw refused("cannot tell which node of disk " + disk.displayName() + " is " + base.image());
        }
        String jobId = JOB_PREFIX + String.format("%08x", ThreadLocalRandom.current().nextInt());
        LOG.info("merging disk {}: {} ({}) into {} ({}), job {}", disk.displayName(), top.node(), top.image(),
                base.node(), base.image(), jobId);

        try (JobWatcher job = new JobWatcher(qmp, jobId, request.progress())) {
            if (startCommit(job, disk, top, base)) {
                commit(job, deadline, disk, top, base);
            }
        }
        BlockDisk now = BlockState.read(qmp, false).sameDevice(disk)
                .orElseThrow(() -> new MergeFailedException("disk " + disk.displayName()
                        + " disappeared during the merge; overlay " + top.image() + " kept", null));
        boolean nodesGone = removeNodes(top);
        boolean deleted = request.deleteOverlay() && nodesGone && deleteFile(top.image());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("merged disk {} in {}: now on {} ({})", disk.displayName(), took, now.node(), now.image());
        return new MergeResult(now, top.node(), top.image(), deleted, took);
    }

    // ---- preflight: refuse before anything changes

    private static void checkSupport(QmpSchema schema) {
        List<String> missing = new ArrayList<>();
        JOB_COMMANDS.stream().filter(c -> !schema.hasCommand(c)).forEach(missing::add);
        for (String arg : List.of("job-id", "auto-dismiss", "base-node")) {
            if (!schema.hasArgument("block-commit", arg)) {
                missing.add("block-commit " + arg);
            }
        }
        if (!missing.isEmpty()) {
            throw refused("this QEMU lacks " + String.join(", ", missing));
        }
    }

    private BlockDisk findDisk(BlockState state) {
        List<BlockDisk> found = state.matching(request.disk());
        if (found.size() == 1) {
            return found.get(0);
        }
        String known = describe(found.isEmpty() ? state.disks() : found);
        throw refused(found.isEmpty()
                ? "no disk named '" + request.disk() + "'; the disks are: " + known
                : "'" + request.disk() + "' names several disks: " + known);
    }

    private static void refuseUnmergeable(BlockState state, BlockDisk disk, DiskChain chain) {
        String name = "disk " + disk.displayName();
        if (disk.image() == null || disk.node() == null) {
            throw refused(name + " has no medium: nothing to merge");
        }
        if (disk.backingDepth() < 1 || chain.layers().size() < 2) {
            throw refused(name + " has no backing image to merge " + disk.image() + " into");
        }
        if (disk.readOnly()) {
            throw refused(name + " is read-only");
        }
        List<String> nodes = chain.layers().stream().map(ChainLayer::node).filter(n -> n != null).toList();
        Set<String> jobs = state.jobsUsing(nodes);
        if (!jobs.isEmpty()) {
            throw refused("a block job already runs on " + name + ": " + String.join(", ", jobs));
        }
    }

    // ---- the job

    /** Starts the job; false only when it could not be confirmed, but the merge happened anyway. */
    private boolean startCommit(JobWatcher job, BlockDisk disk, ChainLayer top, ChainLayer base) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job-id", job.id());
        args.put("device", top.node());
        // without a base QEMU commits down to the bottom of the chain, not into the next image
        if (base.node() != null) {
            args.put("base-node", base.node());
        } else {
            args.put("base", base.image().toString());
        }
        args.put("auto-dismiss", false);
        try {
            qmp.execute("block-commit", args);
            return true;
        } catch (CommandException e) {
            // QEMU checks before it creates the job: nothing was changed
            throw refused("QEMU refused block-commit on disk " + disk.displayName() + ": " + e.description(), e);
        } catch (ConnectionClosedException e) {
            throw lost(job, top, e);
        } catch (Qmp4jException e) {
            // e.g. no reply in time: the job may exist, so end it like any other failure
            abandon(job, disk, top, base, "block-commit did not answer: " + e.getMessage(), e);
            return false;
        }
    }

    /** Drives the started job to the end; returns only when the disk now uses the base image. */
    private void commit(JobWatcher job, long deadline, BlockDisk disk, ChainLayer top, ChainLayer base) {
        try {
            if (job.await(JobWatcher.READY, deadline).equals(JobWatcher.READY)) {
                qmp.execute("job-complete", Map.of("id", job.id()));
                job.await(JobWatcher.CONCLUDED, deadline);
            }
        } catch (JobWatcher.DeadlineException e) {
            String when = e.status().equals("unknown") ? "right after it started" : "while the job was " + e.status();
            abandon(job, disk, top, base, "timed out after " + request.timeout() + " " + when, e);
            return;
        } catch (ConnectionClosedException e) {
            throw lost(job, top, e);
        } catch (Qmp4jException e) {
            abandon(job, disk, top, base, e.getMessage(), e);
            return;
        }
        // the job ended by itself: it succeeded only if it has no error and the disk moved
        Optional<JobInfo> info = job.query();
        String error = info.map(JobInfo::error).orElse(null);
        String dismissed = dismiss(job);
        if (error == null && switchedToBase(disk, top, base)) {
            return;
        }
        String what = error != null ? "the commit job failed: " + error
                : "the commit job ended as " + info.map(JobInfo::status).orElse("gone") + " without switching the disk";
        throw failed(job, disk, top, base, what + "; " + dismissed, null);
    }

    /**
     * Ends a job that must not go on: cancel, wait for it to conclude, dismiss. Returns normally
     * only if the job had completed the merge anyway (a cancel that came too late: the disk uses
     * the base image now); otherwise throws the failure.
     */
    private void abandon(JobWatcher job, BlockDisk disk, ChainLayer top, ChainLayer base, String what,
                         Exception cause) {
        LOG.warn("merge of disk {} failed ({}), cancelling job {}", disk.displayName(), what, job.id());
        Ending end = cancel(job);
        if (end.ended() && switchedToBase(disk, top, base)) {
            LOG.warn("job {} completed the merge before the cancel took effect: keeping the result", job.id());
            return;
        }
        throw failed(job, disk, top, base, what + "; " + end.note(), cause);
    }

    /** How a cancelled job ended: whether it is over, and what to tell the caller. */
    private record Ending(boolean ended, String note) {
    }

    /** {@code job-cancel}, wait for {@code concluded}, {@code job-dismiss}. */
    private Ending cancel(JobWatcher job) {
        try {
            qmp.execute("job-cancel", Map.of("id", job.id()));
        } catch (CommandException e) {
            // already concluded, or never created: find out below
            LOG.debug("job-cancel {}: {}", job.id(), e.getMessage());
        } catch (Qmp4jException e) {
            return new Ending(false, "could not cancel job " + job.id() + " (" + e.getMessage() + "): it may still run");
        }
        try {
            job.await(JobWatcher.CONCLUDED, System.nanoTime() + CANCEL_GRACE.toNanos());
        } catch (JobWatcher.DeadlineException e) {
            return new Ending(false, "job " + job.id() + " did not end within " + CANCEL_GRACE
                    + " of job-cancel: it may still run");
        } catch (Qmp4jException e) {
            return new Ending(false, "lost track of job " + job.id() + " after job-cancel (" + e.getMessage()
                    + "): it may still run");
        }
        if (job.status().equals(JobWatcher.GONE)) {
            return new Ending(true, "job " + job.id() + " is gone");
        }
        String error = job.query().map(JobInfo::error).orElse(null);
        String dismissed = dismiss(job);
        return new Ending(true, "job " + job.id() + (error == null ? " ended without error" : " cancelled (" + error + ")")
                + " and " + dismissed);
    }

    private static String dismiss(JobWatcher job) {
        try {
            job.dismiss();
            return "dismissed";
        } catch (Qmp4jException e) {
            return "could not be dismissed (" + e.getMessage() + ")";
        }
    }

    private boolean switchedToBase(BlockDisk disk, ChainLayer top, ChainLayer base) {
        BlockDisk now = BlockState.read(qmp, false).sameDevice(disk).orElse(null);
        return now != null && !top.node().equals(now.node()) && base.image().equals(now.image());
    }

    // ---- after a successful commit

    /**
     * Removes the merged overlay's node, then whatever node still has its file open and nothing
     * above it (its file node, when that was added as a node of its own; QEMU drops implicit
     * ones by itself). Returns whether no node has the file open any more: only then may it be
     * deleted.
     */
    private boolean removeNodes(ChainLayer top) {
        delNode(top.node(), BlockState.read(qmp, false));
        BlockState after = BlockState.read(qmp, true);
        for (String node : after.nodesOnFile(top.image())) {
            // without the graph, parents are unknown: QEMU refuses to delete a node in use
            List<String> parents = after.parents(node);
            if (parents.isEmpty()) {
                delNode(node, after);
            } else {
                LOG.warn("merged, but node {} on {} is still used by {}", node, top.image(), parents);
            }
        }
        List<String> left = BlockState.read(qmp, false).nodesOnFile(top.image());
        if (!left.isEmpty()) {
            LOG.warn("merged, but {} still open in nodes {}: keeping the file", top.image(), left);
        }
        return left.isEmpty();
    }

    private boolean delNode(String node, BlockState state) {
        if (!state.hasNode(node)) {
            return true;
        }
        try {
            qmp.execute("blockdev-del", Map.of("node-name", node));
            return true;
        } catch (CommandException e) {
            LOG.warn("merged, but could not remove node {}: {}", node, e.getMessage());
            return false;
        }
    }

    private static boolean deleteFile(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("merged, but could not delete overlay {}: {}", file, e.toString());
            return false;
        }
    }

    // ---- messages

    private static String describe(List<BlockDisk> disks) {
        if (disks.isEmpty()) {
            return "(none)";
        }
        return disks.stream()
                .map(d -> d.displayName() + (d.image() == null ? " (no medium)" : " (node " + d.node() + ", " + d.image() + ")"))
                .collect(Collectors.joining(", "));
    }

    private static MergeFailedException refused(String why) {
        return refused(why, null);
    }

    private static MergeFailedException refused(String why, Throwable cause) {
        return new MergeFailedException("merge refused, nothing changed: " + why, cause);
    }

    private static MergeFailedException failed(JobWatcher job, BlockDisk disk, ChainLayer top, ChainLayer base,
                                               String what, Throwable cause) {
        // a commit writes into the base as it goes, and a cancel does not undo that
        String copied = job.current() <= 0 ? ""
                : "; " + job.current() + " bytes of the overlay were already copied into " + base.image()
                        + ", which is now consistent only beneath the overlay";
        return new MergeFailedException("merge of disk " + disk.displayName() + " failed: " + what
                + "; the disk still writes to " + top.node() + " (" + top.image() + "), every file kept" + copied, cause);
    }

    private static MergeFailedException lost(JobWatcher job, ChainLayer top, Throwable cause) {
        return new MergeFailedException("lost the QMP connection during the merge of " + top.node() + " ("
                + top.image() + "): job " + job.id() + " may still run; every file kept", cause);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
