package org.qmp4j.snapshot.internal;

import java.util.List;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.DiskChain;

/**
 * Reads the VM's disks and backing chains from {@code query-block} and
 * {@code query-named-block-nodes}, and node links from {@code x-debug-query-block-graph} where
 * the schema has it (matching nodes by file name where it does not).
 */
public final class BlockDiscovery {
    private BlockDiscovery() {
    }

    /**
     * Every block device of {@code query-block}, in its order, including drives without a medium
     * (their image, node and format are {@code null}). Block nodes that no device uses (added with
     * {@code blockdev-add} only) are not disks and are not listed.
     */
    public static List<BlockDisk> disks(QmpClient qmp) {
        return BlockState.read(qmp, false).disks();
    }

    /** Every disk's backing chain, active image first; a drive without a medium has no layers. */
    public static List<DiskChain> chains(QmpClient qmp) {
        return BlockState.read(qmp, true).chains();
    }
}
