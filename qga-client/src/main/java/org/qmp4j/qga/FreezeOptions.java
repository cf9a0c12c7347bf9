package org.qmp4j.qga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.core.Checks;

/**
 * How to freeze: which mountpoints (all when none are named), the longest the guest may stay
 * frozen before the watchdog thaws it, and how long to wait for the freeze reply. Immutable.
 */
public final class FreezeOptions {
    /** Default maximum freeze duration. */
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(10);

    private final List<String> mountpoints;
    private final Duration maxDuration;
    private final Duration freezeTimeout;

    private FreezeOptions(Builder b) {
        this.mountpoints = List.copyOf(b.mountpoints);
        this.maxDuration = b.maxDuration;
        this.freezeTimeout = b.freezeTimeout == null ? b.maxDuration : b.freezeTimeout;
        if (freezeTimeout.compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("freezeTimeout " + freezeTimeout + " exceeds maxDuration " + maxDuration);
        }
    }

    /** Every file system, 10 s at most. */
    public static FreezeOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mountpoints to freeze; empty means all. */
    public List<String> mountpoints() {
        return mountpoints;
    }

    /** The watchdog thaws the guest this long after the freeze was sent, whatever the caller does. */
    public Duration maxDuration() {
        return maxDuration;
    }

    /** Deadline of the freeze command itself (at most {@link #maxDuration()}). */
    public Duration freezeTimeout() {
        return freezeTimeout;
    }

    /** Builder of {@link FreezeOptions}. */
    public static final class Builder {
        private final List<String> mountpoints = new ArrayList<>();
        private Duration maxDuration = DEFAULT_MAX_DURATION;
        private Duration freezeTimeout;

        private Builder() {
        }

        /** Freeze only these mountpoints ({@code guest-fsfreeze-freeze-list}). */
        public Builder mountpoints(List<String> mountpoints) {
            this.mountpoints.addAll(mountpoints);
            return this;
        }

        /** The longest the guest may stay frozen (default 10 s). */
        public Builder maxDuration(Duration maxDuration) {
            this.maxDuration = Checks.positive(maxDuration, "maxDuration");
            return this;
        }

        /** Deadline of the freeze command (default: the max duration). */
        public Builder freezeTimeout(Duration freezeTimeout) {
            this.freezeTimeout = Checks.positive(freezeTimeout, "freezeTimeout");
            return this;
        }

        public FreezeOptions build() {
            return new FreezeOptions(this);
        }

    }
}
