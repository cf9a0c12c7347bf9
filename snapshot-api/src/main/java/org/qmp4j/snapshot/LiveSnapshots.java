package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.BlockDiscovery;
import org.qmp4j.snapshot.internal.MergeFlow;
import org.qmp4j.snapshot.internal.Recovery;
import org.qmp4j.snapshot.internal.SnapshotFlow;
import org.qmp4j.snapshot.internal.StateDirectory;

/**
 * Snapshots of one running VM: take a consistent live snapshot, list backing chains, merge an
 * overlay back, and recover after a controller died in one of those. Works on the QMP connection
 * it is given (and the guest agent, for quiescing); it never closes them.
 *
 * <p>Every snapshot and merge is on record in the VM's journal in a state directory (default
 * {@code $XDG_STATE_HOME/qmp4j}, else {@code ~/.local/state/qmp4j}; see
 * {@link #withStateDirectory}), step by step, so that {@link #recover()} can finish or undo it
 * after a crash at any point. One operation at a time per VM: a second one, from any process,
 * is refused while one runs, and while an unfinished one is on record.
 */
public final class LiveSnapshots {
    private final QmpClient qmp;
    private final GuestAgentClient agent;
    private final Path stateDirectory;

    private LiveSnapshots(QmpClient qmp, GuestAgentClient agent, Path stateDirectory) {
        this.qmp = Objects.requireNonNull(qmp, "qmp");
        this.agent = agent;
        this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    }

    /** Snapshots through {@code qmp}, quiescing through {@code agent} (may be {@code null}: no agent). */
    public static LiveSnapshots of(QmpClient qmp, GuestAgentClient agent) {
        return new LiveSnapshots(qmp, agent, StateDirectory.defaultPath());
    }

    /** Snapshots through {@code qmp}, never quiesced. */
    public static LiveSnapshots of(QmpClient qmp) {
        return of(qmp, null);
    }

    /** The same, with the journals in {@code directory} (created owner-only if missing). */
    public LiveSnapshots withStateDirectory(Path directory) {
        return new LiveSnapshots(qmp, agent, directory);
    }

    /** Where the journals are kept. */
    public Path stateDirectory() {
        return stateDirectory;
    }

    /** The VM's disks as QEMU reports them now. */
    public List<BlockDisk> disks() {
        return BlockDiscovery.disks(qmp);
    }

    /** Each disk's backing chain, active image first. */
    public List<DiskChain> chains() {
        return BlockDiscovery.chains(qmp);
    }

    /**
     * Takes a snapshot: preflight, overlays created, freeze (per the quiesce policy), one
     * {@code transaction} switching every disk, thaw, verify.
     *
     * @throws SnapshotFailedException when it failed; the VM keeps its original images and the
     *         exception says what was undone and what could not be
     */
    public SnapshotResult take(SnapshotRequest request) {
        return new SnapshotFlow(qmp, agent, request, SnapshotFlow.Hooks.NONE, stateDirectory).run();
    }

    /**
     * Merges a disk's active overlay into its backing image (active {@code block-commit}) and
     * removes the overlay from the VM.
     *
     * @throws MergeFailedException when it failed or timed out (the job is cancelled, files kept)
     */
    public MergeResult merge(MergeRequest request) {
        return new MergeFlow(qmp, request, stateDirectory, SnapshotFlow.Hooks.NONE).run();
    }

    /**
     * Makes the VM whole after a controller died in a snapshot or merge: for each unfinished
     * record of this VM, thaws the guest if that operation froze it (through the agent, when this
     * instance has one), cancels its memory save and resumes a VM it paused, and then completes a
     * snapshot whose {@code transaction} had committed or rolls it back (its nodes, and the files
     * it created, never another's), or finishes a merge. Nodes named like qmp4j's that are on no
     * record are reported, not deleted.
     */
    public RecoveryReport recover() {
        return recover(false);
    }

    /** As {@link #recover()}; with {@code deleteUnrecordedNodes}, unused {@code q4j-} nodes on no record are deleted too. */
    public RecoveryReport recover(boolean deleteUnrecordedNodes) {
        return new Recovery(qmp, agent, stateDirectory, deleteUnrecordedNodes).run();
    }
}
