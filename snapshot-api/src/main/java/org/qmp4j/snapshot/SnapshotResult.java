package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot that was taken.
 *
 * @param name the snapshot's name
 * @param time when the disks switched (host clock)
 * @param quiesced whether the guest's file systems were frozen around the switch
 * @param quiesceSkippedReason why not, when not quiesced ({@code null} when quiesced)
 * @param frozenFilesystems how many file systems the agent froze (0 when not quiesced)
 * @param freezeWindow host side, from sending the freeze to the confirmed thaw ({@link Duration#ZERO} when not quiesced)
 * @param disks one entry per disk, in the order of {@code query-block}
 * @param memoryFile the saved RAM and device state, for a snapshot with memory
 */
public record SnapshotResult(String name, Instant time, boolean quiesced, String quiesceSkippedReason,
                             int frozenFilesystems, Duration freezeWindow, List<DiskSnapshot> disks,
                             Path memoryFile) {
    public SnapshotResult {
        disks = List.copyOf(disks);
    }

    /** The memory file, if this snapshot saved RAM. */
    public Optional<Path> memory() {
        return Optional.ofNullable(memoryFile);
    }
}
