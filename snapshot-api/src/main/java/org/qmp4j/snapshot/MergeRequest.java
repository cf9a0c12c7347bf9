package org.qmp4j.snapshot;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A merge ("delete snapshot") of a disk's active overlay into its backing image, on a running
 * VM. Immutable; build with {@link #builder(String)}.
 */
public final class MergeRequest {
    private final String disk;
    private final boolean deleteOverlay;
    private final Duration timeout;
    private final Consumer<MergeProgress> progress;

    private MergeRequest(Builder b) {
        this.disk = b.disk;
        this.deleteOverlay = b.deleteOverlay;
        this.timeout = b.timeout;
        this.progress = b.progress;
    }

    /** Merges the active overlay of {@code disk} (device name, qdev id or node name). */
    public static Builder builder(String disk) {
        return new Builder(disk);
    }

    public String disk() {
        return disk;
    }

    /** Whether the merged overlay file is deleted afterwards (default: kept). */
    public boolean deleteOverlay() {
        return deleteOverlay;
    }

    /** How long the whole merge may take before it is cancelled. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Called with each change of the job's status or progress (read from its events and by
     * polling about every 200 ms), on the thread running the merge: it must not block long.
     */
    public Consumer<MergeProgress> progress() {
        return progress;
    }

    /** Builder of {@link MergeRequest}. */
    public static final class Builder {
        private final String disk;
        private boolean deleteOverlay;
        private Duration timeout = Duration.ofMinutes(30);
        private Consumer<MergeProgress> progress = p -> { };

        private Builder(String disk) {
            this.disk = Objects.requireNonNull(disk, "disk");
        }

        public Builder deleteOverlay(boolean delete) {
            this.deleteOverlay = delete;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder progress(Consumer<MergeProgress> progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public MergeRequest build() {
            return new MergeRequest(this);
        }
    }
}
