package org.qmp4j.snapshot.internal;

import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;

/** The consistent live snapshot, step by step (PLACEHOLDER: being written). */
public final class SnapshotFlow {
    private final QmpClient qmp;
    private final GuestAgentClient agent;
    private final SnapshotRequest request;

    public SnapshotFlow(QmpClient qmp, GuestAgentClient agent, SnapshotRequest request) {
        this.qmp = qmp;
        this.agent = agent;
        this.request = request;
    }

    public SnapshotResult run() {
        throw new UnsupportedOperationException("snapshot: not written yet " + qmp + agent + request);
    }
}
