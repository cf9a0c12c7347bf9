package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.snapshot.FreezeOrder;
import org.qmp4j.snapshot.GroupMember;
import org.qmp4j.snapshot.GroupSnapshotFailedException;
import org.qmp4j.snapshot.GroupSnapshotRequest;
import org.qmp4j.snapshot.GroupSnapshotResult;
import org.qmp4j.snapshot.SnapshotFailedException;
import org.qmp4j.snapshot.SnapshotResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of several VMs at one point in time: every VM's part runs the single snapshot's
 * steps ({@link SnapshotFlow}), step by step across the group. Every VM passes preflight before
 * anything is created anywhere; every overlay of every VM exists before the first freeze; only
 * once every guest has frozen are the transactions sent, all together; the thaws go out only
 * once every transaction has replied, so that every VM's switch falls in the span in which all
 * guests were frozen. All or nothing: when one VM fails at any step, the others are thawed and
 * undone, and a VM whose transaction had already committed is merged back into its own images.
 */
public final class GroupSnapshotFlow {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSnapshotFlow.class);

    /** Test seam for failure injection: called as VM {@code vm} (its index) is about to run {@code step}. */
    @FunctionalInterface
    public interface Hooks {
        void before(int vm, String step);

        /** No-op hooks. */
        Hooks NONE = (vm, step) -> { };
    }

    private final GroupSnapshotRequest request;
    private final Path stateDirectory;
    private final List<SnapshotFlow> flows = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final String id = RandomIds.hex16();
    /** The index {@link #fail} takes for a failure of the group's decision rather than of a VM. */
    private static final int DECISION = -1;

    private final Instant startInstant = Instant.now();
    private final long startNanos = System.nanoTime();

    public GroupSnapshotFlow(GroupSnapshotRequest request, Path stateDirectory, Hooks hooks) {
        this.request = request;
        this.stateDirectory = stateDirectory;
        List<GroupMember> vms = request.vms();
        for (int i = 0; i < vms.size(); i++) {
            GroupMember vm = vms.get(i);
            int index = i;
            flows.add(new SnapshotFlow(vm.qmp(), vm.agent(), request.requestFor(vm),
                    step -> hooks.before(index, step), stateDirectory));
            keys.add(StateDirectory.vmKey(vm.qmp()));
        }
    }

    public GroupSnapshotResult run() {
        List<SnapshotFlow> opened = new ArrayList<>();
        try {
            for (SnapshotFlow flow : flows) {
                try {
                    flow.open();
                } catch (SnapshotFailedException e) {
                    throw new GroupSnapshotFailedException(keys.get(opened.size()), e.step(), e.getMessage(), e,
                            List.of(), List.of());
                }
                opened.add(flow);
            }
            return take();
        } finally {
            for (SnapshotFlow flow : opened) {
                try {
                    flow.close();
                } catch (RuntimeException e) {
                    LOG.warn("group snapshot {}: cannot close a journal: {}", request.name(), e.toString());
                }
            }
        }
    }

    private GroupSnapshotResult take() {
        for (int i = 0; i < flows.size(); i++) { // all before anything changes anywhere
            try {
                flows.get(i).preflight();
            } catch (RuntimeException e) {
                throw fail(i, e, List.of());
            }
        }
        checkOverlaysDistinct();
        ObjectNode group = JsonTrees.object().put("id", id).put("name", request.name());
        keys.forEach(group.putArray("members")::add);
        for (int i = 0; i < flows.size(); i++) {
            try {
                flows.get(i).createOverlays(group);
            } catch (RuntimeException e) {
                throw fail(i, e, List.of());
            }
        }
        freezeAll();

        // Every guest is frozen: the transactions go out together, from this thread, one write each.
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
        for (int i = 0; i < flows.size(); i++) {
            try {
                replies.add(flows.get(i).sendTransaction(false));
            } catch (RuntimeException e) {
                thawAll(); // first: the replies of those sent may take their deadline
                awaitQuietly(replies);
                throw fail(i, e, committed(replies));
            }
        }
        if (request.freezeOrder() == FreezeOrder.PARALLEL) {
            // the I/O thread that reads the last reply sends every thaw at once
            CompletableFuture.allOf(replies.toArray(new CompletableFuture[0])).whenComplete(new ThawAll(flows));
        }
        List<Instant> switchedAt = new ArrayList<>();
        int failed = -1;
        RuntimeException failure = null;
        for (int i = 0; i < flows.size(); i++) {
            try {
                switchedAt.add(flows.get(i).awaitSwitch(replies.get(i)));
            } catch (RuntimeException e) {
                switchedAt.add(null);
                if (failure == null) {
                    failed = i;
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw fail(failed, failure, committed(replies));
        }
        if (request.freezeOrder() == FreezeOrder.IN_ORDER) {
            for (int i = flows.size() - 1; i >= 0; i--) {
                flows.get(i).thawAndWait(); // the last frozen first, each confirmed before the next
            }
        }
        try {
            GroupDecision.commit(stateDirectory, id); // before any VM's switch is on record
        } catch (RuntimeException e) {
            throw fail(DECISION, e, committed(replies));
        }
        return finishAll(switchedAt);
    }

    /** Every VM switched: each VM's snapshot stands now, whatever else fails. */
    private GroupSnapshotResult finishAll(List<Instant> switchedAt) {
        List<String> problems = new ArrayList<>();
        int firstProblem = -1;
        try {
            for (int i : thawOrder()) {
                try {
                    flows.get(i).afterSwitch(switchedAt.get(i)); // the thaw confirmed, the switch on record
                } catch (RuntimeException e) {
                    firstProblem = firstProblem < 0 ? i : firstProblem;
                    problems.addAll(leftBehind(i, e));
                }
            }
        } finally {
            thawAll(); // a guest whose afterSwitch did not get to its thaw
        }
        long lastFrozen = flows.stream().mapToLong(SnapshotFlow::frozenAtNanos).max().orElse(0);
        long firstThaw = flows.stream().mapToLong(SnapshotFlow::thawSentAtNanos).filter(t -> t != 0).min().orElse(0);
        List<SnapshotResult> results = new ArrayList<>();
        for (int i = 0; i < flows.size(); i++) {
            SnapshotFlow flow = flows.get(i);
            try {
                flow.resumeAndVerify();
                flow.finish("done");
                results.add(flow.result());
            } catch (RuntimeException e) {
                firstProblem = firstProblem < 0 ? i : firstProblem;
                problems.addAll(leftBehind(i, e));
            }
        }
        if (firstProblem >= 0) {
            // the decision stays: a VM whose record is unfinished keeps its part on recover
            throw new GroupSnapshotFailedException(keys.get(firstProblem), flows.get(firstProblem).step(),
                    "every VM switched, but not every VM could be finished", null, List.of(), problems);
        }
        GroupDecision.forget(stateDirectory, id);
        boolean frozen = lastFrozen != 0 && firstThaw != 0;
        return new GroupSnapshotResult(request.name(), results, frozen ? instantOf(lastFrozen) : null,
                frozen ? instantOf(firstThaw) : null,
                frozen ? Duration.ofNanos(Math.max(0, firstThaw - lastFrozen)) : Duration.ZERO);
    }

    /** What a VM whose snapshot stands leaves to its operator after {@code e}. */
    private List<String> leftBehind(int i, RuntimeException e) {
        List<String> left = new ArrayList<>();
        List<String> named = e instanceof SnapshotFailedException f ? f.notUndone() : List.of();
        if (named.isEmpty()) {
            left.add(keys.get(i) + ": " + e.getMessage() + " (the snapshot itself was taken)");
        }
        named.forEach(u -> left.add(keys.get(i) + ": " + u));
        return left;
    }

    /** Starts every guest's thaw at once; one that fails to start does not hold back the others. */
    private void thawAll() {
        for (SnapshotFlow flow : flows) {
            try {
                flow.thawNow();
            } catch (RuntimeException e) {
                LOG.warn("group snapshot {}: a thaw did not start: {}", request.name(), e.toString());
            }
        }
    }

    /** Freezes every guest that is to be quiesced: all at once, or one after the other. */
    private void freezeAll() {
        if (request.freezeOrder() == FreezeOrder.IN_ORDER || flows.size() == 1) {
            for (int i = 0; i < flows.size(); i++) {
                try {
                    flows.get(i).freeze();
                } catch (RuntimeException e) {
                    throw fail(i, e, List.of());
                }
            }
            return;
        }
        ExecutorService freezers = Executors.newFixedThreadPool(flows.size(), r -> {
            Thread t = new Thread(r, "qmp4j-group-freeze");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> freezes = new ArrayList<>();
            for (SnapshotFlow flow : flows) {
                freezes.add(freezers.submit(flow::freeze));
            }
            int failed = -1;
            RuntimeException failure = null;
            for (int i = 0; i < freezes.size(); i++) {
                RuntimeException e = outcome(freezes.get(i));
                if (e != null && failure == null) {
                    failed = i;
                    failure = e;
                }
            }
            if (failure != null) {
                throw fail(failed, failure, List.of());
            }
        } finally {
            freezers.shutdown();
        }
    }

    /** How a freeze task ended: {@code null} when it succeeded. Waits for it, also when interrupted. */
    private static RuntimeException outcome(Future<?> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true; // the freeze must be known before anything is undone
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Two VMs of a group must not be given the same overlay file (one overlay directory, same image names). */
    private void checkOverlaysDistinct() {
        Map<Path, Integer> owner = new HashMap<>();
        for (int i = 0; i < flows.size(); i++) {
            for (Path overlay : flows.get(i).plannedOverlays()) {
                Integer other = owner.putIfAbsent(overlay, i);
                if (other != null) {
                    throw fail(i, new Preflight.PreflightRefusal("VMs " + keys.get(other) + " and "
                            + keys.get(i) + " would both get overlay " + overlay + ": give them distinct image"
                            + " names or overlay directories"), List.of());
                }
            }
        }
    }

    /** Thaw order after the switch: reverse of the freeze order when one was given. */
    private List<Integer> thawOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < flows.size(); i++) {
            order.add(i);
        }
        if (request.freezeOrder() == FreezeOrder.IN_ORDER) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** Which VMs' transactions committed, by index. */
    private static List<Integer> committed(List<CompletableFuture<JsonNode>> replies) {
        List<Integer> committed = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            CompletableFuture<JsonNode> reply = replies.get(i);
            if (reply.isDone() && !reply.isCompletedExceptionally()) {
                committed.add(i);
            }
        }
        return committed;
    }

    private static void awaitQuietly(List<CompletableFuture<JsonNode>> replies) {
        for (CompletableFuture<JsonNode> reply : replies) {
            try {
                Blocking.await(reply);
            } catch (RuntimeException e) {
                // its failure is the caller's to handle: it is not among the committed
            }
        }
    }

    /**
     * VM {@code failed} (or the group's decision, {@link #DECISION}) failed with {@code cause}:
     * every guest is thawed first (the thaws go out together), then every VM is undone: those whose
     * transaction committed are merged back into their own images, the others remove what they
     * created. Runs to the end even when this thread was interrupted; never throws itself.
     */
    private GroupSnapshotFailedException fail(int failed, RuntimeException cause, List<Integer> committed) {
        String failedVm = failed == DECISION ? "the group's decision" : keys.get(failed);
        String step = failed == DECISION ? "group decision" : flows.get(failed).step();
        LOG.warn("group snapshot {}: {} failed at {}: {}: rolling back every VM", request.name(), failedVm, step,
                cause.toString());
        List<String> undone = new ArrayList<>();
        List<String> notUndone = new ArrayList<>();
        Uninterrupted.run(() -> {
            thawAll();
            for (int i = 0; i < flows.size(); i++) {
                String vm = keys.get(i);
                try {
                    if (committed.contains(i)) {
                        mergeBack(i, undone, notUndone);
                        continue;
                    }
                    RuntimeException own = i == failed ? cause
                            : new GroupMemberAbandoned(failedVm + " of the group failed at " + step);
                    SnapshotFailedException e = flows.get(i).fail(own);
                    e.undone().forEach(u -> undone.add(vm + ": " + u));
                    e.notUndone().forEach(u -> notUndone.add(vm + ": " + u));
                } catch (RuntimeException e) {
                    notUndone.add(vm + ": its undo failed: " + e.getMessage() + " (run recover)");
                }
            }
        });
        return new GroupSnapshotFailedException(failedVm, step, cause.getMessage(), cause, undone, notUndone);
    }

    /** Takes back the part of VM {@code i}, whose transaction committed while the group failed. */
    private void mergeBack(int i, List<String> undone, List<String> notUndone) {
        SnapshotFlow flow = flows.get(i);
        String vm = keys.get(i);
        try {
            flow.afterSwitch(Instant.now()); // the thaw confirmed, the switch on record
        } catch (RuntimeException e) {
            notUndone.add(vm + ": " + e.getMessage());
            return;
        }
        List<String> merged = new ArrayList<>();
        flow.mergeBack(merged).forEach(u -> notUndone.add(vm + ": " + u));
        merged.forEach(u -> undone.add(vm + ": " + u));
    }

    private Instant instantOf(long nanos) {
        return startInstant.plusNanos(nanos - startNanos);
    }

    /** Why a VM that did not fail itself is undone. */
    static final class GroupMemberAbandoned extends org.qmp4j.core.Qmp4jException {
        private static final long serialVersionUID = 1L;

        GroupMemberAbandoned(String message) {
            super(message, null);
        }
    }

    /**
     * Sends every thaw once every transaction has replied. A class, not a lambda: it runs inside
     * the freeze window, where nothing may be linked for the first time.
     */
    private record ThawAll(List<SnapshotFlow> flows) implements BiConsumer<Void, Throwable> {
        @Override
        public void accept(Void done, Throwable failure) {
            for (SnapshotFlow flow : flows) {
                try {
                    flow.thawNow();
                } catch (RuntimeException e) {
                    LOG.warn("a thaw did not start: {}", e.toString()); // the caller's confirm retries it
                }
            }
        }
    }
}
