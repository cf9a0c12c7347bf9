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
import java.util.function.BiConsumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qga.FreezeException;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeOptions;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.ThawFailedException;
import org.qmp4j.qmp.PreparedCommand;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.JournalException;
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
    private Journal.Recorder record;

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
        Journal journal;
        try {
            journal = Journal.openForNewOperation(stateDirectory, StateDirectory.vmKey(qmp));
        } catch (JournalException e) {
            throw new SnapshotFailedException(step, e.getMessage(), e, List.of(), List.of());
        }
        try (journal) {
            SnapshotResult result = run(journal);
            record.end("done");
            return result;
        }
    }

    private SnapshotResult run(Journal journal) {
        try {
            return takeSnapshot(journal);
        } catch (SnapshotFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            Uninterrupted.run(() -> {
                undo.run();
                if (record != null && undo.notUndone().isEmpty()) {
                    record.end("undone");
                } else if (record != null) {
                    undo.leftBehind("the record of this snapshot in " + journal.file() + ": run recover");
                }
            });
            throw new SnapshotFailedException(step, e.getMessage(), e, undo.undone(), undo.notUndone());
        }
    }

    /** The plan, on record before anything is created: every node name and file this snapshot may make. */
    private ObjectNode plan(Preflight.Result preflight) {
        ObjectNode plan = Json.MAPPER.createObjectNode();
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

    private SnapshotResult takeSnapshot(Journal journal) {
        enter("preflight");
        Preflight.Result preflight = new Preflight(qmp, request).run();
        enter("quiesce check");
        QuiesceDecision quiesce = QuiesceDecision.decide(request, preflight.status(), agent);
        record = journal.recorder(journal.begin(plan(preflight)));

        enter("create overlays");
        OverlayBuilder builder = new OverlayBuilder(qmp, undo, record, hooks);
        for (OverlayPlan plan : preflight.plans()) {
            builder.create(plan);
        }

        boolean pausedHere = false;
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
        PreparedCommand transaction = qmp.prepare("transaction", Map.of("actions", actions(preflight.plans())));

        enter("freeze");
        FreezeHandle freeze = null;
        String skipped = quiesce.skippedReason();
        if (quiesce.quiesce()) {
            // On record before the freeze: nothing is written to disk inside the freeze window.
            record.step("freezing", Map.of("agent", agent.options().endpoint().toString()));
            try {
                freeze = agent.freeze(FreezeOptions.builder().mountpoints(request.mountpoints())
                        .maxDuration(request.maxFreeze()).freezeTimeout(request.freezeTimeout()).build());
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

        Instant switchedAt;
        step = "transaction";
        boolean thawedEarly;
        try {
            // Inside the freeze window: this one round trip and nothing else (the hook is a no-op
            // outside tests; the watchdog check is a field read). Whatever fails in here, the guest
            // is thawed before anything else.
            hooks.before(step);
            thawedEarly = freeze != null && freeze.isThawed();
            switchedAt = thawedEarly ? null : transaction(transaction, freeze);
        } catch (RuntimeException e) {
            thawAfterFailure(freeze);
            throw e instanceof CommandException ? e : outcomeUnknown(e);
        }
        if (thawedEarly) {
            // The watchdog thawed the guest before the switch (a slow freeze, a stalled caller).
            String why = "the watchdog thawed the guest after " + request.maxFreeze().toMillis()
                    + " ms frozen, before the switch";
            if (request.quiesce() == QuiescePolicy.REQUIRED) {
                throw new FreezeException(why + ": the snapshot would not be quiesced", null);
            }
            skipped = why;
            LOG.warn("snapshot {}: going on unquiesced: {}", request.name(), skipped);
            freeze = null;
            try {
                switchedAt = transaction(transaction, null);
            } catch (RuntimeException e) {
                throw e instanceof CommandException ? e : outcomeUnknown(e);
            }
        }
        undo.commit(); // the VM writes to the overlays now: they are the snapshot's, not garbage
        thaw(freeze, preflight.plans());
        record.step("switched");
        if (freeze != null && freeze.thawedByWatchdog()) {
            // Thawed while the transaction was on its way: the disks may have switched unfrozen.
            skipped = "the watchdog thawed the guest after " + request.maxFreeze().toMillis()
                    + " ms frozen, before the switch was confirmed";
            LOG.warn("snapshot {}: not quiesced: {}", request.name(), skipped);
            freeze = null;
        }

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
        return result(preflight.plans(), freeze, skipped, switchedAt, memory);
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
    private void thawAfterFailure(FreezeHandle freeze) {
        if (freeze == null) {
            return;
        }
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
    private void thaw(FreezeHandle freeze, List<OverlayPlan> plans) {
        if (freeze == null) {
            return;
        }
        step = "thaw";
        hooks.before(step); // inside the freeze window still: a no-op outside tests
        try {
            freeze.close();
            record.step("thawed");
        } catch (RuntimeException e) {
            List<String> left = new ArrayList<>();
            left.add("GUEST MAY STILL BE FROZEN: " + e.getMessage());
            left.add("the snapshot itself was taken: disks now write to " + overlays(plans));
            throw new SnapshotFailedException(step, "thaw not confirmed", e, List.of(), left);
        }
    }

    /**
     * The one atomic switch of every disk to its overlay. With a freeze, the thaw is chained to
     * the reply: the I/O thread that reads the reply (or sees the command fail) sends the thaw
     * at once, before this thread wakes up; {@link FreezeHandle#close()} later waits for that
     * same thaw.
     */
    private Instant transaction(PreparedCommand transaction, FreezeHandle freeze) {
        CompletableFuture<JsonNode> reply = qmp.executeAsync(transaction, CommandOptions.defaults());
        if (freeze != null) {
            reply.whenComplete(new ThawOnReply(freeze)); // its outcome is close()'s to report
        }
        Blocking.await(reply);
        return Instant.now();
    }

    /**
     * Starts the thaw when the transaction's reply (or failure) is in. A class, not a lambda: a
     * lambda is linked on its first run, and in a new JVM that run is inside the freeze window.
     */
    private record ThawOnReply(FreezeHandle freeze) implements BiConsumer<JsonNode, Throwable> {
        @Override
        public void accept(JsonNode reply, Throwable failure) {
            freeze.thawAsync();
        }
    }

    private static List<String> overlays(List<OverlayPlan> plans) {
        return plans.stream().map(p -> p.overlay().toString()).toList();
    }

    private void verify(List<OverlayPlan> plans) {
        List<BlockDisk> now = BlockDiscovery.disks(qmp);
        List<String> wrong = new ArrayList<>();
        for (OverlayPlan plan : plans) {
            BlockDisk disk = now.stream().filter(d -> sameDisk(d, plan.disk())).findFirst().orElse(null);
            if (disk == null || !plan.overlayNode().equals(disk.node()) || disk.readOnly()) {
                wrong.add(plan.disk().displayName() + " -> " + (disk == null ? "gone" : disk.node()
                        + (disk.readOnly() ? " (read-only)" : "")));
            }
        }
        if (!wrong.isEmpty()) {
            throw new SnapshotFailedException("verify", "disks are not on their writable overlays: " + wrong, null,
                    List.of(), List.of("the transaction succeeded; check the VM's disks: " + wrong));
        }
    }

    private static boolean sameDisk(BlockDisk a, BlockDisk b) {
        return a.device().equals(b.device()) && java.util.Objects.equals(a.qdev(), b.qdev());
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
