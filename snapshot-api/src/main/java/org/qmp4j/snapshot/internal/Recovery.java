package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qmp4j.core.CommandException;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.JournalException;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;
import org.qmp4j.snapshot.RecoveryReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a VM whole after a controller died in an operation: reads the VM's journal and, for each
 * unfinished record, thaws a guest it froze, cancels a memory save it started, and then either
 * completes the snapshot (its {@code transaction} committed: the disks are on its overlays) or
 * rolls it back (removes exactly the nodes and files its plan names and it created, never
 * another's, and resumes a VM it paused). An unfinished merge has its job completed (or its result
 * kept) and the merged overlay removed. Nodes that look like ours but are on no record are
 * reported, and deleted only when asked.
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration MIGRATION_CANCEL_WAIT = Duration.ofSeconds(30);
    private static final Duration MERGE_WAIT = Duration.ofMinutes(10);
    private static final String OUR_PREFIX = "q4j-";

    private final QmpClient qmp;
    private final GuestAgentClient agent;
    private final Path stateDirectory;
    private final boolean deleteUnrecorded;
    private final List<String> actions = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> recordedNodes = new HashSet<>();

    public Recovery(QmpClient qmp, GuestAgentClient agent, Path stateDirectory, boolean deleteUnrecorded) {
        this.qmp = qmp;
        this.agent = agent;
        this.stateDirectory = stateDirectory;
        this.deleteUnrecorded = deleteUnrecorded;
    }

    public RecoveryReport run() {
        List<String> unrecorded;
        try (Journal journal = Journal.open(stateDirectory, StateDirectory.vmKey(qmp))) {
            List<Journal.Operation> open = journal.unfinished();
            for (Journal.Operation op : open) {
                Journal.Recorder record = journal.recorder(op);
                boolean whole = op.kind().equals("merge") ? recoverMerge(op.plan()) : recoverSnapshot(op, record);
                if (whole) {
                    record.end("recovered");
                    forgetGroupDecisionIfDone(op.plan().path("group"));
                }
            }
            if (open.isEmpty()) {
                actions.add("nothing unfinished on record for " + StateDirectory.vmKey(qmp));
            }
            unrecorded = unrecordedNodes();
            int sets = FdSets.releaseUnused(qmp);
            if (sets > 0) {
                actions.add("released " + sets + " fd set" + (sets == 1 ? "" : "s") + " of qmp4j that no node used");
            }
        } catch (JournalException e) {
            problems.add(e.getMessage());
            unrecorded = List.of();
        }
        return new RecoveryReport(actions, unrecorded, problems);
    }

    // --- snapshot -------------------------------------------------------------------------------

    private boolean recoverSnapshot(Journal.Operation op, Journal.Recorder record) {
        JsonNode plan = op.plan();
        String what = "snapshot " + plan.path("name").asText() + " (started " + plan.path("started").asText() + ")";
        int problemsBefore = problems.size();
        for (JsonNode o : plan.path("overlays")) {
            recordedNodes.add(o.path("overlayNode").asText());
            recordedNodes.add(o.path("fileNode").asText());
        }
        // A paused guest cannot be thawed: resume first (a memory snapshot, the one that pauses,
        // is never quiesced).
        cancelMemorySave(op, what);
        resumeIfPausedByIt(op, what);
        thawIfOurs(op, what);
        String group = plan.path("group").path("id").asText("");
        if (committed(op) && !group.isEmpty() && !GroupDecision.committed(stateDirectory, group)) {
            // this VM switched, but its group did not as a whole: its part is taken back
            actions.add(what + ": its transaction had committed, but not every VM of group snapshot "
                    + plan.path("group").path("name").asText() + " did: merging it back");
            mergeBack(op, record, what);
        } else if (committed(op)) {
            actions.add(what + ": its transaction had committed: kept (the disks write to its overlays)");
        } else {
            rollBack(op, what);
        }
        return problems.size() == problemsBefore;
    }

    /**
     * Removes a group's decision once no member has an unfinished record of the group left:
     * each member's recover ends its own record first, so the last one to finish removes it.
     */
    private void forgetGroupDecisionIfDone(JsonNode group) {
        String id = group.path("id").asText("");
        if (id.isEmpty() || !GroupDecision.committed(stateDirectory, id)) {
            return;
        }
        for (JsonNode member : group.path("members")) {
            if (Journal.hasUnfinishedOfGroup(stateDirectory, member.asText(), id)) {
                return;
            }
        }
        GroupDecision.forget(stateDirectory, id);
        actions.add("every VM of group snapshot " + group.path("name").asText() + " is whole: its decision removed");
    }

    /** The overlays of {@code op} that are a disk's active node now. */
    private List<String> activeOverlays(Journal.Operation op) {
        Set<String> active = new HashSet<>();
        BlockDiscovery.disks(qmp).forEach(d -> active.add(d.node()));
        List<String> nodes = new ArrayList<>();
        for (JsonNode o : op.plan().path("overlays")) {
            String node = o.path("overlayNode").asText();
            if (active.contains(node)) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    /**
     * Takes back a group member's part: first finishes each merge back that a dead controller had
     * started (its plan is a step of the record), then merges back every overlay of the record that
     * is still a disk's active node, each as a step of the same record.
     */
    private void mergeBack(Journal.Operation op, Journal.Recorder record, String what) {
        for (JsonNode started : op.steps(MergeFlow.MERGE_BACK_STEP)) {
            recoverMerge(started);
        }
        for (String node : activeOverlays(op)) {
            try {
                MergeResult merged = new MergeFlow(qmp, MergeRequest.builder(node).deleteOverlay(true).build(),
                        stateDirectory, SnapshotFlow.Hooks.NONE).runWithin(record);
                actions.add(what + ": merged overlay " + merged.removedOverlay() + " back: disk "
                        + merged.disk().displayName() + " writes to " + merged.disk().image() + " again");
            } catch (RuntimeException e) {
                problems.add(what + ": cannot merge overlay node " + node + " back: " + e.getMessage());
            }
        }
    }

    private void thawIfOurs(Journal.Operation op, String what) {
        boolean mayBeFrozen = op.did("freezing") && !op.did("thawed");
        if (agent == null) {
            if (mayBeFrozen) {
                problems.add(what + ": the guest may still be frozen: give its agent socket to thaw it");
            }
            return;
        }
        try {
            FreezeStatus status = agent.fsfreezeStatus();
            if (status != FreezeStatus.FROZEN) {
                return;
            }
            if (!mayBeFrozen) {
                problems.add(what + ": the guest is frozen, but not by this record: left frozen");
                return;
            }
            agent.fsfreezeThaw();
            if (agent.fsfreezeStatus() == FreezeStatus.THAWED) {
                actions.add(what + ": thawed the guest");
            } else {
                problems.add(what + ": GUEST STILL FROZEN after a thaw");
            }
        } catch (RuntimeException e) {
            if (mayBeFrozen) {
                problems.add(what + ": the guest may still be frozen: " + e.getMessage());
            }
        }
    }

    private void cancelMemorySave(Journal.Operation op, String what) {
        if (!op.did("memory-file")) {
            return;
        }
        String status = qmp.execute("query-migrate").path("status").asText("none");
        if (!isMigrating(status)) {
            return;
        }
        qmp.execute("migrate_cancel");
        long deadline = System.nanoTime() + MIGRATION_CANCEL_WAIT.toNanos();
        try (EventSubscription changes = qmp.subscribe(EventFilter.names("MIGRATION"))) {
            while (isMigrating(qmp.execute("query-migrate").path("status").asText("none"))) {
                if (System.nanoTime() > deadline) {
                    problems.add(what + ": the memory save it started does not end after migrate_cancel");
                    return;
                }
                changes.poll(POLL); // a wait for QEMU's word, or the next look
            }
        }
        actions.add(what + ": cancelled its memory save");
    }

    private static boolean isMigrating(String status) {
        return switch (status) {
            case "setup", "active", "pre-switchover", "device", "cancelling", "wait-unplug" -> true;
            default -> false;
        };
    }

    /** The transaction is atomic: it committed if any disk is on one of its overlays. */
    private boolean committed(Journal.Operation op) {
        if (op.did("switched")) {
            return true;
        }
        Set<String> overlayNodes = new HashSet<>();
        for (JsonNode o : op.plan().path("overlays")) {
            overlayNodes.add(o.path("overlayNode").asText());
        }
        for (DiskChain chain : BlockDiscovery.chains(qmp)) {
            for (ChainLayer layer : chain.layers()) {
                if (overlayNodes.contains(layer.node())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void rollBack(Journal.Operation op, String what) {
        Set<String> created = new HashSet<>();
        for (JsonNode step : op.steps("file")) {
            created.add(step.path("file").asText());
        }
        for (JsonNode step : op.steps("memory-file")) {
            created.add(step.path("file").asText());
        }
        List<String> removed = new ArrayList<>();
        for (JsonNode o : op.plan().path("overlays")) {
            String overlayNode = o.path("overlayNode").asText();
            dismissJob(OverlayPlan.createJobOf(overlayNode));
            for (String node : List.of(overlayNode, o.path("fileNode").asText())) {
                if (deleteNode(node, what)) {
                    removed.add("node " + node);
                }
            }
        }
        int sets = FdSets.releaseUnused(qmp); // before the files: a set keeps its file open in QEMU
        if (sets > 0) {
            removed.add(sets + " fd set" + (sets == 1 ? "" : "s"));
        }
        List<Path> files = new ArrayList<>();
        for (JsonNode o : op.plan().path("overlays")) {
            files.add(Path.of(o.path("file").asText()));
        }
        if (op.plan().hasNonNull("memory")) {
            files.add(Path.of(op.plan().path("memory").asText()));
        }
        for (Path file : files) {
            if (deleteIfOurs(file, created.contains(file.toString()), what)) {
                removed.add("file " + file);
            }
        }
        actions.add(what + ": rolled back (its transaction had not committed)"
                + (removed.isEmpty() ? "; nothing of it was left" : "; removed " + String.join(", ", removed)));
    }

    /**
     * Deletes a file the record names: one it recorded as created, or an empty one that is where
     * it was about to record one (a crash between the create and its record; preflight had
     * checked the path was free). Anything else there is someone else's: kept.
     */
    private boolean deleteIfOurs(Path file, boolean recorded, String what) {
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(what + ": kept " + file + ": not a regular file");
                return false;
            }
            if (!recorded && Files.size(file) != 0) {
                problems.add(what + ": kept " + file + ": not on record as created by it");
                return false;
            }
            if (FileLocks.inUseByQemu(file)) {
                problems.add(what + ": kept " + file + ": a QEMU process has it open");
                return false;
            }
            Files.delete(file);
            return true;
        } catch (IOException e) {
            problems.add(what + ": cannot delete " + file + ": " + e);
            return false;
        }
    }

    private void resumeIfPausedByIt(Journal.Operation op, String what) {
        if (!op.did("pausing") || op.did("resumed")) {
            return;
        }
        String status = qmp.execute("query-status").path("status").asText();
        if (status.equals("paused") || status.equals("postmigrate")) {
            qmp.execute("cont");
            actions.add(what + ": resumed the VM it had paused");
        }
    }

    // --- merge ----------------------------------------------------------------------------------

    /** Finishes the merge that {@code plan} describes: a merge's own record, or a group member's merge back. */
    private boolean recoverMerge(JsonNode plan) {
        String what = "merge of disk " + plan.path("disk").asText() + " (started " + plan.path("started").asText() + ")";
        int problemsBefore = problems.size();
        String jobId = plan.path("job").asText();
        recordedNodes.add(plan.path("topNode").asText());
        try (JobWatcher job = new JobWatcher(qmp, jobId, p -> { })) {
            if (!job.status().equals(JobWatcher.GONE)) {
                long deadline = System.nanoTime() + MERGE_WAIT.toNanos();
                if (job.await(JobWatcher.READY, deadline).equals(JobWatcher.READY)) {
                    qmp.execute("job-complete", Map.of("id", jobId));
                    job.await(JobWatcher.CONCLUDED, deadline);
                }
                String error = job.query().map(JobInfo::error).orElse(null);
                job.dismissQuietly();
                if (error != null) {
                    problems.add(what + ": its job ended with an error: " + error);
                }
            }
        } catch (RuntimeException e) {
            problems.add(what + ": cannot finish its job " + jobId + ": " + e.getMessage());
            return false;
        }
        ChainLayer top = new ChainLayer(plan.path("topNode").asText(), Path.of(plan.path("topImage").asText()),
                plan.path("topFormat").asText());
        Path base = Path.of(plan.path("baseImage").asText());
        boolean onBase = BlockDiscovery.disks(qmp).stream().anyMatch(d -> d.device().equals(plan.path("device")
                .asText()) && base.equals(d.image()) && !top.node().equals(d.node()));
        if (!onBase) {
            actions.add(what + ": it had not switched the disk: the disk still writes to " + top.image());
        } else {
            // the controller may have died between removing the overlay's node and its file node
            BlockState now = BlockState.read(qmp, false);
            boolean left = now.hasNode(top.node()) || !now.nodesOnFile(top.image()).isEmpty();
            boolean deleted = left && new OverlayRemoval(qmp).remove(top, plan.path("deleteOverlay").asBoolean());
            actions.add(what + ": completed" + (left ? ": removed the merged overlay's nodes" : "")
                    + (deleted ? " and file" : ""));
        }
        return problems.size() == problemsBefore;
    }

    // --- unrecorded nodes -----------------------------------------------------------------------

    /** Nodes named like ours that no disk uses and no record names. */
    private List<String> unrecordedNodes() {
        Set<String> inUse = new HashSet<>();
        for (DiskChain chain : BlockDiscovery.chains(qmp)) {
            for (ChainLayer layer : chain.layers()) {
                inUse.add(layer.node());
                inUse.add(OverlayPlan.fileNodeOf(layer.node()));
            }
        }
        List<String> found = new ArrayList<>();
        for (JsonNode node : qmp.execute("query-named-block-nodes")) {
            String name = node.path("node-name").asText();
            if (name.startsWith(OUR_PREFIX) && !inUse.contains(name) && !recordedNodes.contains(name)
                    && !found.contains(name)) {
                found.add(name);
            }
        }
        if (deleteUnrecorded) {
            // format nodes before the file nodes beneath them
            found.sort((a, b) -> Boolean.compare(a.endsWith(OverlayPlan.FILE_NODE_SUFFIX),
                    b.endsWith(OverlayPlan.FILE_NODE_SUFFIX)));
            for (String name : found) {
                if (deleteNode(name, "unrecorded node")) {
                    actions.add("deleted unrecorded node " + name);
                }
            }
        }
        return found;
    }

    // --- QMP helpers ----------------------------------------------------------------------------

    /** Deletes {@code node}; true if it was there. A refusal is a problem of {@code what}. */
    private boolean deleteNode(String node, String what) {
        try {
            return BlockNodes.delete(qmp, node);
        } catch (CommandException e) {
            problems.add(what + ": cannot delete node " + node + ": " + e.description());
            return false;
        }
    }

    private void dismissJob(String id) {
        try {
            qmp.execute("job-dismiss", Map.of("id", id));
        } catch (CommandException e) {
            LOG.debug("no job {} to dismiss: {}", id, e.description());
        }
    }
}
