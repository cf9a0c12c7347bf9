package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.ThawFailedException;
import org.qmp4j.qmp.PreparedCommand;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.JournalException;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotFailedException;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;
import org.qmp4j.snapshot.TransactionOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consistent live snapshot, step by step (DESIGN.md, "The consistent live snapshot"):
 * preflight and the quiesce decision before anything changes; overlays created before the
 * freeze; freeze, one {@code transaction} for every disk, thaw at once; verify. Any failure undoes
 * what was created, newest first, and says what could not be undone.
 */
public final class SnapshotFlow {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFlow.class);

    /**
     * Test seam for failure injection: called as each step starts. In production it is a no-op;
     * the call before {@code transaction} falls inside the freeze window, where only a no-op may run.
     */
    @FunctionalInterface
    public interface Hooks {
        /** Called as {@code step} is about to run. */
        void before(String step);

        /** No-op hooks. */
        Hooks NONE = step -> { };
    }

    private final QmpClient qmp;
    private final GuestAgentClient agent;
    private final SnapshotRequest request;
    private final Hooks hooks;
    private final Path stateDirectory;
    private final Undo undo = new Undo();
    private String step = "preflight";
    private Journal journal;
    private Journal.Recorder record;
    private Preflight.Result preflight;
    private QuiesceDecision quiesce;
    private String skipped;
    private PreparedCommand transaction;
    private boolean pausedHere;
    private FreezeHandle freeze;
    private long frozenAtNanos;
    /** Written by the I/O thread that sends a chained thaw, read after the reply was awaited. */
    private volatile long thawSentAtNanos;
    /** Whether this flow has thawed (or tried to): a failure path does not thaw twice. */
    private boolean thawTried;
    private Instant switchedAt;

    public SnapshotFlow(QmpClient qmp, GuestAgentClient agent, SnapshotRequest request) {
        this(qmp, agent, request, Hooks.NONE);
    }

    public SnapshotFlow(QmpClient qmp, GuestAgentClient agent, SnapshotRequest request, Hooks hooks) {
        this(qmp, agent, request, hooks, StateDirectory.defaultPath());
    }

    public SnapshotFlow(QmpClient qmp, GuestAgentClient agent, SnapshotRequest request, Hooks hooks,
                        Path stateDirectory) {
        this.qmp = qmp;
        this.agent = agent;
        this.request = request;
        this.hooks = hooks;
        this.stateDirectory = stateDirectory;
    }

    /**
     * Runs the snapshot, recorded in the VM's journal from the plan on. A failure that could not
     * be undone leaves the record unfinished: {@code recover} finishes it, and until then no
     * other snapshot or merge of the VM starts.
     */
    public SnapshotResult run() {
        open();
        try {
            preflight();
            createOverlays(null);
            freeze();
            Instant switchedAt = awaitSwitch(sendTransaction(true));
            afterSwitch(switchedAt);
            resumeAndVerify();
        } catch (RuntimeException e) {
            SnapshotFailedException failure = fail(e);
            try {
                close();
            } catch (RuntimeException closing) {
                failure.addSuppressed(closing); // the failure is what the caller must see
            }
            throw failure;
        }
        try {
            finish();
            return result();
        } finally {
            close();
        }
    }

    // --- the steps, one VM's part; a group snapshot runs them for every VM, step by step ---------

    /** Opens the VM's journal for a new operation: refused while another one runs or is unfinished. */
    void open() {
        try {
            journal = Journal.openForNewOperation(stateDirectory, StateDirectory.vmKey(qmp));
        } catch (JournalException e) {
            throw new SnapshotFailedException(step, e.getMessage(), e, List.of(), List.of());
        }
    }

    /** Preflight and the quiesce decision: nothing is changed yet. */
    void preflight() {
        enter("preflight");
        // The agent is asked while the rest of preflight reads QEMU: once the VM is known to run.
        AtomicReference<QuiesceDecision.Pending> quiesceCheck = new AtomicReference<>();
        try {
            preflight = new Preflight(qmp, request).run(status -> quiesceCheck.set(
                    QuiesceDecision.start(request, status, agent)));
            enter("quiesce check");
        } catch (RuntimeException e) {
            if (quiesceCheck.get() != null) {
                quiesceCheck.get().abandon();
            }
            throw e;
        }
        quiesce = quiesceCheck.get().decide();
        skipped = quiesce.skippedReason();
    }

    /** The overlay files this snapshot will create, known after {@link #preflight()}. */
    List<Path> plannedOverlays() {
        return preflight.plans().stream().map(OverlayPlan::overlay).toList();
    }

    /** Whether {@link #preflight()} decided to freeze the guest. */
    boolean willQuiesce() {
        return quiesce.quiesce();
    }

    /**
     * The plan on record, then every overlay (and the memory file, for a snapshot with memory)
     * created, and the {@code transaction} encoded. {@code group}, when not null, goes into the
     * plan: which group snapshot this VM's part belongs to.
     */
    void createOverlays(ObjectNode group) {
        ObjectNode plan = plan(preflight);
        if (group != null) {
            plan.set("group", group);
        }
        record = journal.recorder(journal.begin(plan));

        enter("create overlays");
        OverlayBuilder builder = new OverlayBuilder(qmp, undo, record, hooks);
        for (OverlayPlan overlay : preflight.plans()) {
            builder.create(overlay);
        }
        Path memory = request.memoryFile().orElse(null);
        if (memory != null) {
            enter("save memory");
            if (preflight.status().running()) {
                record.step("pausing");
                qmp.execute("stop");
                pausedHere = true;
                undo.push("pause of the VM", () -> {
                    qmp.execute("cont");
                    record.step("resumed");
                });
            }
            new MemorySaver(qmp, undo, record, hooks).save(memory);
        }
        builder.checkInPlace();
        // Encoded before the freeze: inside the window the transaction only gets its id.
        transaction = qmp.prepare("transaction", Map.of("actions", actions(preflight.plans())));
    }

    /**
     * Freezes the guest, when it was decided to. A failed freeze is thawed before it is
     * reported; under PREFERRED the snapshot then goes on crash-consistent, with the reason.
     */
    void freeze() {
        enter("freeze");
        if (!quiesce.quiesce()) {
            return;
        }
        // On record before the freeze: nothing is written to disk inside the freeze window.
        record.step("freezing", Map.of("agent", agent.options().endpoint().toString()));
        try {
            freeze = agent.freeze(FreezeOptions.builder().mountpoints(request.mountpoints())
                    .maxDuration(request.maxFreeze()).freezeTimeout(request.freezeTimeout()).build());
            frozenAtNanos = System.nanoTime();
        } catch (ThawFailedException e) {
            // The freeze failed and the thaw after it was not confirmed: nothing else may hide that.
            undo.leftBehind("GUEST MAY STILL BE FROZEN (agent " + agent.options().endpoint() + "): "
                    + e.getMessage());
            throw e;
        } catch (FreezeException e) {
            record.step("thawed"); // a failed freeze is thawed, and confirmed, before it is reported
            if (request.quiesce() == QuiescePolicy.REQUIRED) {
                throw e;
            }
            skipped = "the freeze failed (" + e.getMessage() + ")";
            LOG.warn("snapshot {}: going on unquiesced: {}", request.name(), skipped);
        }
    }

    /** Whether the guest is frozen now (by this snapshot, and the watchdog has not thawed it). */
    boolean frozen() {
        return freeze != null && !freeze.isThawed();
    }

    /** {@link System#nanoTime()} when the freeze replied; 0 when the guest was not frozen. */
    long frozenAtNanos() {
        return freeze != null ? frozenAtNanos : 0;
    }

    /**
     * {@link System#nanoTime()} when the thaw was sent (by this flow, not by the watchdog); 0
     * before that, or when the guest was not frozen.
     */
    long thawSentAtNanos() {
        return thawSentAtNanos;
    }

    /**
     * Sends the one atomic switch of every disk to its overlay, and returns its reply. With
     * {@code chainThaw} and a freeze, the thaw is chained to the reply: the I/O thread that reads
     * the reply (or sees the command fail) sends the thaw at once. Inside the freeze window this
     * is the only round trip: the hook is a no-op outside tests, the watchdog check a field read.
     */
    CompletableFuture<JsonNode> sendTransaction(boolean chainThaw) {
        step = "transaction";
        boolean thawedEarly;
        try {
            hooks.before(step);
            thawedEarly = freeze != null && freeze.isThawed();
            if (!thawedEarly) {
                return send(chainThaw);
            }
        } catch (RuntimeException e) {
            throw failedTransaction(e); // the guest is thawed before anything else
        }
        // The watchdog thawed the guest before the switch (a slow freeze, a stalled caller).
        String why = "the watchdog thawed the guest after " + request.maxFreeze().toMillis()
                + " ms frozen, before the switch";
        if (request.quiesce() == QuiescePolicy.REQUIRED) {
            throw new FreezeException(why + ": the snapshot would not be quiesced", null);
        }
        skipped = why;
        LOG.warn("snapshot {}: going on unquiesced: {}", request.name(), skipped);
        freeze = null;
        return send(false);
    }

    private CompletableFuture<JsonNode> send(boolean chainThaw) {
        CompletableFuture<JsonNode> reply = qmp.executeAsync(transaction, CommandOptions.defaults());
        if (freeze != null && chainThaw) {
            reply.whenComplete(new ThawOnReply(this, freeze)); // its outcome is close()'s to report
        }
        return reply;
    }

    /**
     * Waits for the transaction's reply: when it committed, the time of the switch. When it
     * failed, the guest is thawed first and the failure says whether the outcome is known.
     */
    Instant awaitSwitch(CompletableFuture<JsonNode> reply) {
        try {
            Blocking.await(reply);
            return Instant.now();
        } catch (RuntimeException e) {
            throw failedTransaction(e);
        }
    }

    private RuntimeException failedTransaction(RuntimeException e) {
        thawAfterFailure();
        return e instanceof CommandException ? e : outcomeUnknown(e);
    }

    /**
     * After the switch: what was created is the snapshot's now, the guest is thawed (confirmed)
     * and the switch is on record. A failed thaw fails the call; the snapshot stands.
     */
    void afterSwitch(Instant switchedAt) {
        this.switchedAt = switchedAt;
        undo.commit(); // the VM writes to the overlays now: they are the snapshot's, not garbage
        thaw();
        record.step("switched");
        if (freeze != null && freeze.thawedByWatchdog()) {
            // Thawed while the transaction was on its way: the disks may have switched unfrozen.
            skipped = "the watchdog thawed the guest after " + request.maxFreeze().toMillis()
                    + " ms frozen, before the switch was confirmed";
            LOG.warn("snapshot {}: not quiesced: {}", request.name(), skipped);
            freeze = null;
        }
    }

    /** Starts the thaw without waiting (a group's ordered thaw); {@link #afterSwitch} confirms it. */
    void thawNow() {
        FreezeHandle frozen = freeze; // read once: the caller's afterSwitch may clear it meanwhile
        if (frozen != null) {
            startThaw(frozen);
        }
    }

    /**
     * Thaws now and waits until the thaw is confirmed: one step of a group's ordered thaw. A thaw
     * that fails is {@link #afterSwitch}'s to report.
     */
    void thawAndWait() {
        FreezeHandle frozen = freeze;
        if (frozen == null) {
            return;
        }
        startThaw(frozen);
        try {
            Blocking.await(frozen.thawAsync());
        } catch (RuntimeException e) {
            LOG.debug("snapshot {}: thaw not confirmed yet: {}", request.name(), e.toString());
        }
    }

    private void startThaw(FreezeHandle frozen) {
        if (thawSentAtNanos == 0) {
            thawSentAtNanos = System.nanoTime();
        }
        frozen.thawAsync();
    }

    /** Resumes a VM this snapshot paused, then checks every disk is on its writable overlay. */
    void resumeAndVerify() {
        if (pausedHere) {
            enter("resume");
            try {
                qmp.execute("cont");
                record.step("resumed");
            } catch (RuntimeException e) {
                throw new SnapshotFailedException(step, "the VM could not be resumed: " + e.getMessage(), e, List.of(),
                        List.of("the VM is still PAUSED: resume it (QMP cont)",
                                "the snapshot itself was taken: disks now write to " + overlays(preflight.plans())));
            }
        }
        enter("verify");
        verify(preflight.plans());
    }

    /**
     * Undoes what this snapshot created (newest first) after {@code e}, ends its record when all
     * of it was undone, and returns the failure to throw. Never throws itself.
     */
    SnapshotFailedException fail(RuntimeException e) {
        if (e instanceof SnapshotFailedException failed) {
            return failed;
        }
        Uninterrupted.run(() -> {
            thawAfterFailure();
            undo.run();
            if (record != null && undo.notUndone().isEmpty()) {
                record.end("undone");
            } else if (record != null) {
                undo.leftBehind("the record of this snapshot in " + journal.file() + ": run recover");
            }
        });
        return new SnapshotFailedException(step, e.getMessage(), e, undo.undone(), undo.notUndone());
    }

    /**
     * Takes back a snapshot whose transaction committed (a group member whose group failed): each
     * overlay is merged back into the image below it, an active commit, so nothing the guest wrote
     * since is lost, and its file deleted. Each merge is a step of this snapshot's record, which
     * ends only when every disk is back: a controller that dies meanwhile leaves it to
     * {@code recover}. Call after {@link #afterSwitch}.
     *
     * @return what could not be merged back (empty when all was)
     */
    List<String> mergeBack(List<String> undone) {
        List<String> left = new ArrayList<>();
        record.step("merging back");
        for (OverlayPlan plan : preflight.plans()) {
            try {
                new MergeFlow(qmp, MergeRequest.builder(plan.overlayNode()).deleteOverlay(true).build(), stateDirectory,
                        hooks).runWithin(record);
                undone.add("merged overlay " + plan.overlay() + " back into " + plan.disk().image());
            } catch (RuntimeException e) {
                left.add("disk " + plan.disk().displayName() + " still writes to overlay " + plan.overlay() + " ("
                        + e.getMessage() + ")");
            }
        }
        if (left.isEmpty()) {
            record.end("merged back");
        } else {
            left.add("the record of this snapshot in " + journal.file() + ": run recover");
        }
        return left;
    }

    /** Ends the record of a snapshot that was taken. */
    void finish() {
        finish("done");
    }

    /** Ends the record of a snapshot that was taken, saying how. */
    void finish(String outcome) {
        record.end(outcome);
    }

    /** Closes the journal (its lock on the VM); the record stays as it was left. */
    void close() {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    /** The step this flow is at, or failed at. */
    String step() {
        return step;
    }

    /** What this snapshot took, after {@link #afterSwitch}. */
    SnapshotResult result() {
        return result(preflight.plans(), freeze, skipped, switchedAt, request.memoryFile().orElse(null));
    }

    /** The VM's key, as in its journal. */
    String vmKey() {
        return StateDirectory.vmKey(qmp);
    }

    /** The plan, on record before anything is created: every node name and file this snapshot may make. */
    private ObjectNode plan(Preflight.Result preflight) {
        ObjectNode plan = JsonTrees.object();
        plan.put("op", "snapshot");
        plan.put("name", request.name());
        plan.put("vm", StateDirectory.vmKey(qmp));
        plan.put("running", preflight.status().running());
        request.memoryFile().ifPresent(m -> plan.put("memory", m.toString()));
        ArrayNode overlays = plan.putArray("overlays");
        for (OverlayPlan p : preflight.plans()) {
            overlays.addObject().put("disk", p.disk().displayName()).put("node", p.disk().node())
                    .put("overlayNode", p.overlayNode()).put("fileNode", p.fileNode())
                    .put("file", p.overlay().toString());
        }
        return plan;
    }

    private void enter(String next) {
        step = next;
        hooks.before(next);
    }

    private static List<Map<String, Object>> actions(List<OverlayPlan> plans) {
        List<Map<String, Object>> actions = new ArrayList<>();
        for (OverlayPlan plan : plans) {
            actions.add(Map.of("type", "blockdev-snapshot",
                    "data", Map.of("node", plan.disk().node(), "overlay", plan.overlayNode())));
        }
        return actions;
    }

    /** The transaction failed: thaw first, the undo comes after. A failed thaw is reported loudly. */
    private void thawAfterFailure() {
        if (freeze == null || thawTried) {
            return;
        }
        thawTried = true;
        try {
            freeze.close();
            record.step("thawed");
        } catch (ThawFailedException e) {
            undo.leftBehind("GUEST MAY STILL BE FROZEN: " + e.getMessage());
        } catch (RuntimeException e) {
            undo.leftBehind("guest thaw not confirmed: " + e.getMessage());
        }
    }

    /** The transaction's outcome is unknown (connection lost or timeout): say so, keep what may be in use. */
    private RuntimeException outcomeUnknown(RuntimeException e) {
        if (qmp.state() == ConnectionState.CLOSED || qmp.state() == ConnectionState.CLOSING) {
            undo.leftBehind("the block nodes created (QMP connection lost: they are gone if QEMU exited)");
        }
        return new TransactionOutcomeUnknownException("transaction outcome unknown: " + e.getMessage()
                + " (overlay files a QEMU still has open are kept)", e);
    }

    /** After a successful switch: thaw, confirmed. A failed thaw fails the call, the snapshot stands. */
    private void thaw() {
        if (freeze == null) {
            return;
        }
        step = "thaw";
        hooks.before(step); // inside the freeze window still: a no-op outside tests
        try {
            if (thawSentAtNanos == 0 && !freeze.isThawed()) {
                thawSentAtNanos = System.nanoTime();
            }
            thawTried = true;
            freeze.close();
            record.step("thawed");
        } catch (RuntimeException e) {
            List<String> left = new ArrayList<>();
            left.add("GUEST MAY STILL BE FROZEN: " + e.getMessage());
            left.add("the snapshot itself was taken: disks now write to " + overlays(preflight.plans()));
            throw new SnapshotFailedException(step, "thaw not confirmed", e, List.of(), left);
        }
    }

    /**
     * Starts the thaw when the transaction's reply (or failure) is in. A class, not a lambda: a
     * lambda is linked on its first run, and in a new JVM that run is inside the freeze window.
     */
    private record ThawOnReply(SnapshotFlow flow, FreezeHandle freeze) implements BiConsumer<JsonNode, Throwable> {
        @Override
        public void accept(JsonNode reply, Throwable failure) {
            flow.startThaw(freeze);
        }
    }

    private static List<String> overlays(List<OverlayPlan> plans) {
        return plans.stream().map(p -> p.overlay().toString()).toList();
    }

    /**
     * Checks that every disk writes to its new overlay now. {@code query-block} alone says it
     * (each device's top node and whether it is read-only): the whole block state, with its file
     * names, is not needed for that, and reading it was a tenth of a snapshot's CPU.
     */
    private void verify(List<OverlayPlan> plans) {
        JsonNode now = qmp.execute("query-block");
        List<String> wrong = new ArrayList<>();
        for (OverlayPlan plan : plans) {
            JsonNode top = null;
            for (JsonNode device : now) {
                if (device.path("device").asText("").equals(plan.disk().device())
                        && device.path("qdev").asText("").equals(plan.disk().qdev())) {
                    top = device.path("inserted");
                }
            }
            String node = top == null ? null : top.path("node-name").asText(null);
            boolean readOnly = top != null && top.path("ro").asBoolean(false);
            if (node == null || !plan.overlayNode().equals(node) || readOnly) {
                wrong.add(plan.disk().displayName() + " -> " + (node == null ? "gone" : node
                        + (readOnly ? " (read-only)" : "")));
            }
        }
        if (!wrong.isEmpty()) {
            throw new SnapshotFailedException("verify", "disks are not on their writable overlays: " + wrong, null,
                    List.of(), List.of("the transaction succeeded; check the VM's disks: " + wrong));
        }
    }

    private SnapshotResult result(List<OverlayPlan> plans, FreezeHandle freeze, String skipped, Instant time,
                                  Path memory) {
        List<DiskSnapshot> disks = plans.stream().map(p -> new DiskSnapshot(p.disk().displayName(),
                p.disk().node(), p.disk().image(), p.overlay(), p.overlayNode())).toList();
        return new SnapshotResult(request.name(), time, freeze != null, freeze != null ? null : skipped,
                freeze != null ? freeze.frozenFilesystems() : 0,
                freeze != null ? freeze.frozenFor() : Duration.ZERO, disks, memory);
    }
}
