package org.qmp4j.qga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.core.Checks;

/**
 * How to freeze: which mountpoints (all when none are named), how long the freeze itself may take
 * (a guest's fsfreeze hook may flush a database first), the longest the guest may then stay frozen
 * before the watchdog thaws it (counted from the freeze's reply), and how long a thaw keeps trying
 * until the guest is confirmed thawed. Immutable.
 */
public final class FreezeOptions {
    /** Default maximum freeze duration. */
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(10);
    /** Default deadline of the freeze command itself. */
    public static final Duration DEFAULT_FREEZE_TIMEOUT = Duration.ofSeconds(60);
    /** Default time a thaw keeps retrying until {@code guest-fsfreeze-status} says thawed. */
    public static final Duration DEFAULT_THAW_BUDGET = Duration.ofMinutes(2);

    private final List<String> mountpoints;
    private final Duration maxDuration;
    private final Duration freezeTimeout;
    private final Duration thawBudget;

    private FreezeOptions(Builder b) {
        this.mountpoints = List.copyOf(b.mountpoints);
        this.maxDuration = b.maxDuration;
        this.freezeTimeout = b.freezeTimeout;
        this.thawBudget = b.thawBudget;
    }

    /** Every file system, 10 s at most once frozen, the freeze itself 60 s at most. */
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

    /** The watchdog thaws the guest this long after the freeze replied, whatever the caller does. */
    public Duration maxDuration() {
        return maxDuration;
    }

    /**
     * Deadline of the freeze command itself. When it passes the guest may be frozen or not (the
     * freeze may still complete): it is thawed, and the thaw confirmed, before the failure is reported.
     */
    public Duration freezeTimeout() {
        return freezeTimeout;
    }

    /** How long a thaw keeps retrying until the guest is confirmed thawed; then it fails loudly. */
    public Duration thawBudget() {
        return thawBudget;
    }

    /** Builder of {@link FreezeOptions}. */
    public static final class Builder {
        private final List<String> mountpoints = new ArrayList<>();
        private Duration maxDuration = DEFAULT_MAX_DURATION;
        private Duration freezeTimeout = DEFAULT_FREEZE_TIMEOUT;
        private Duration thawBudget = DEFAULT_THAW_BUDGET;

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

        /** Deadline of the freeze command itself (default 60 s). */
        public Builder freezeTimeout(Duration freezeTimeout) {
            this.freezeTimeout = Checks.positive(freezeTimeout, "freezeTimeout");
            return this;
        }

        /** How long a thaw keeps retrying (default 2 min). */
        public Builder thawBudget(Duration thawBudget) {
            this.thawBudget = Checks.positive(thawBudget, "thawBudget");
            return this;
        }

        public FreezeOptions build() {
            return new FreezeOptions(this);
        }

    }
}
