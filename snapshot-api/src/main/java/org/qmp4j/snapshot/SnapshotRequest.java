package org.qmp4j.snapshot;

import org.qmp4j.qga.FreezeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.qmp4j.core.Checks;

/**
 * What to snapshot and how. Immutable; build with {@link #builder(String)}.
 *
 * <p>Overlay files go beside each disk's active image, named {@code <stem>.<name>.qcow2} where
 * {@code stem} is the file name of the bottom image of the disk's backing chain without its
 * extension (so names never grow along a chain); or into {@link Builder#overlayDirectory(Path)}.
 */
public final class SnapshotRequest {
    private final String name;
    private final List<String> disks;
    private final Path overlayDirectory;
    private final QuiescePolicy quiesce;
    private final List<String> mountpoints;
    private final Duration maxFreeze;
    private final Duration freezeTimeout;
    private final Path memoryFile;

    private SnapshotRequest(Builder b) {
        this.name = b.name;
        this.disks = List.copyOf(b.disks);
        this.overlayDirectory = b.overlayDirectory;
        this.quiesce = b.quiesce;
        this.mountpoints = List.copyOf(b.mountpoints);
        this.maxFreeze = b.maxFreeze;
        this.freezeTimeout = b.freezeTimeout;
        this.memoryFile = b.memoryFile;
    }

    /** A request for a snapshot called {@code name} (checked against {@link SnapshotName}'s rule when taken). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Disks to snapshot, by device name, qdev id or node name; empty means every writable disk with an image. */
    public List<String> disks() {
        return disks;
    }

    /** Where overlays go; empty means beside each disk's image. */
    public Optional<Path> overlayDirectory() {
        return Optional.ofNullable(overlayDirectory);
    }

    public QuiescePolicy quiesce() {
        return quiesce;
    }

    /** Mountpoints to freeze; empty means all. */
    public List<String> mountpoints() {
        return mountpoints;
    }

    /** The longest the guest may stay frozen, counted from the freeze's reply (the watchdog's limit). */
    public Duration maxFreeze() {
        return maxFreeze;
    }

    /** How long the freeze itself may take (a fsfreeze hook in the guest may flush a database first). */
    public Duration freezeTimeout() {
        return freezeTimeout;
    }

    /** Where to save RAM and device state, for a snapshot with memory (never quiesced). */
    public Optional<Path> memoryFile() {
        return Optional.ofNullable(memoryFile);
    }

    /** Builder of {@link SnapshotRequest}. */
    public static final class Builder {
        private final String name;
        private final List<String> disks = new ArrayList<>();
        private Path overlayDirectory;
        private QuiescePolicy quiesce = QuiescePolicy.PREFERRED;
        private final List<String> mountpoints = new ArrayList<>();
        private Duration maxFreeze = Duration.ofSeconds(10);
        private Duration freezeTimeout = FreezeOptions.DEFAULT_FREEZE_TIMEOUT;
        private Path memoryFile;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Adds a disk (device name, qdev id or node name). */
        public Builder disk(String disk) {
            this.disks.add(Objects.requireNonNull(disk, "disk"));
            return this;
        }

        public Builder disks(List<String> disks) {
            disks.forEach(this::disk);
            return this;
        }

        public Builder overlayDirectory(Path dir) {
            this.overlayDirectory = dir;
            return this;
        }

        /** Default {@link QuiescePolicy#PREFERRED}. */
        public Builder quiesce(QuiescePolicy policy) {
            this.quiesce = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder mountpoint(String mountpoint) {
            this.mountpoints.add(Objects.requireNonNull(mountpoint, "mountpoint"));
            return this;
        }

        public Builder mountpoints(List<String> mountpoints) {
            mountpoints.forEach(this::mountpoint);
            return this;
        }

        /** The longest the guest may stay frozen once the freeze replied (default 10 s). */
        public Builder maxFreeze(Duration maxFreeze) {
            Checks.positive(maxFreeze, "maxFreeze");
            this.maxFreeze = maxFreeze;
            return this;
        }

        /** How long the freeze itself may take (default 60 s). */
        public Builder freezeTimeout(Duration freezeTimeout) {
            this.freezeTimeout = Checks.positive(freezeTimeout, "freezeTimeout");
            return this;
        }

        /** Also save RAM into this new file (the VM pauses while it is written). */
        public Builder memoryFile(Path file) {
            this.memoryFile = file;
            return this;
        }

        public SnapshotRequest build() {
            return new SnapshotRequest(this);
        }
    }
}
