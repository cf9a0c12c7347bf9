package org.qmp4j.snapshot.internal;

import java.util.List;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.DiskChain;

/** Reads the VM's disks and backing chains from {@code query-block} and {@code query-named-block-nodes}. */
public final class BlockDiscovery {
    private BlockDiscovery() {
    }

    /** Every block device with its active node (PLACEHOLDER: being written). */
    public static List<BlockDisk> disks(QmpClient qmp) {
        throw new UnsupportedOperationException("BlockDiscovery.disks: not written yet");
    }

    /** Every disk's chain (PLACEHOLDER: being written). */
    public static List<DiskChain> chains(QmpClient qmp) {
        throw new UnsupportedOperationException("BlockDiscovery.chains: not written yet");
    }
}
