package org.qmp4j.snapshot;

import java.util.List;
import java.util.Objects;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.internal.BlockDiscovery;
import org.qmp4j.snapshot.internal.MergeFlow;
import org.qmp4j.snapshot.internal.SnapshotFlow;

/**
 * Snapshots of one running VM: take a consistent live snapshot, list backing chains, merge an
 * overlay back. Works on the QMP connection it is given (and the guest agent, for quiescing);
 * it never closes them. One operation at a time per VM: callers serialize.
 */
public final class LiveSnapshots {
    private final QmpClient qmp;
    private final GuestAgentClient agent;

    private LiveSnapshots(QmpClient qmp, GuestAgentClient agent) {
        this.qmp = Objects.requireNonNull(qmp, "qmp");
        this.agent = agent;
    }

    /** Snapshots through {@code qmp}, quiescing through {@code agent} (may be {@code null}: no agent). */
    public static LiveSnapshots of(QmpClient qmp, GuestAgentClient agent) {
        return new LiveSnapshots(qmp, agent);
    }

    /** Snapshots through {@code qmp}, never quiesced. */
    public static LiveSnapshots of(QmpClient qmp) {
        return new LiveSnapshots(qmp, null);
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
        return new SnapshotFlow(qmp, agent, request).run();
    }

    /**
     * Merges a disk's active overlay into its backing image (active {@code block-commit}) and
     * removes the overlay from the VM.
     *
     * @throws MergeFailedException when it failed or timed out (the job is cancelled, files kept)
     */
    public MergeResult merge(MergeRequest request) {
        return new MergeFlow(qmp, request).run();
    }
}
