package org.qmp4j.snapshot;

import java.util.List;

/**
 * A disk's backing chain, active image first, bottom (original) image last.
 *
 * @param disk the disk
 * @param layers the chain, top first
 */
public record DiskChain(BlockDisk disk, List<ChainLayer> layers) {
    public DiskChain {
        layers = List.copyOf(layers);
    }
}
