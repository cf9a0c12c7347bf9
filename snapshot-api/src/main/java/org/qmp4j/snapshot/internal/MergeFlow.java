package org.qmp4j.snapshot.internal;

import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;

/** Active block-commit of a disk's top overlay into its backing image (PLACEHOLDER: being written). */
public final class MergeFlow {
    private final QmpClient qmp;
    private final MergeRequest request;

    public MergeFlow(QmpClient qmp, MergeRequest request) {
        this.qmp = qmp;
        this.request = request;
    }

    public MergeResult run() {
        throw new UnsupportedOperationException("merge: not written yet " + qmp + request);
    }
}
