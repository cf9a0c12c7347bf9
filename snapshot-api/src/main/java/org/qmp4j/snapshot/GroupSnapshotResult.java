package org.qmp4j.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A group snapshot that was taken: per VM what a single snapshot reports, and when the guests were
 * all frozen together.
 *
 * @param name the snapshot's name (the same for every VM)
 * @param vms one result per VM, in the order the VMs were given
 * @param lastFrozen when the last guest's freeze replied (host clock); {@code null} when no guest was frozen
 * @param firstThawSent when the first thaw was sent; {@code null} when no guest was frozen
 * @param allFrozen the span in which every quiesced guest was frozen, from {@code lastFrozen}
 *        to {@code firstThawSent}; every VM's {@code transaction} happened inside it
 */
public record GroupSnapshotResult(String name, List<SnapshotResult> vms, Instant lastFrozen, Instant firstThawSent,
                                  Duration allFrozen) {
    public GroupSnapshotResult {
        vms = List.copyOf(vms);
    }

    /** {@link #allFrozen()} in milliseconds, with its fraction. */
    public double allFrozenMillis() {
        return allFrozen.toNanos() / 1e6;
    }

    /** Whether every VM was quiesced. */
    public boolean allQuiesced() {
        return vms.stream().allMatch(SnapshotResult::quiesced);
    }

    /** {@link #lastFrozen()}, if any guest was frozen. */
    public Optional<Instant> lastFrozenTime() {
        return Optional.ofNullable(lastFrozen);
    }
}
