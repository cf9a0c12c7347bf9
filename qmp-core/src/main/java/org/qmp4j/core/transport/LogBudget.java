package org.qmp4j.core.transport;

import java.util.function.LongSupplier;

/**
 * How many log lines about what one peer sent may be written: at most {@value #LINES} per
 * {@value #WINDOW_SECONDS} s, so that a guest that floods cannot flood the host's logs. The first
 * line allowed after some were refused says how many. Thread-safe.
 */
public final class LogBudget {
    static final int LINES = 20;
    static final int WINDOW_SECONDS = 10;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

    private final LongSupplier clock;
    private long windowStart;
    private int used;
    private long refused;

    /** A budget on the system's monotonic clock. */
    public LogBudget() {
        this(System::nanoTime);
    }

    LogBudget(LongSupplier nanoClock) {
        this.clock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /**
     * Takes one line from the budget: {@code null} when it is spent (log nothing), otherwise a
     * suffix for the line: empty, or how many lines were left out before it.
     */
    public synchronized String take() {
        long now = clock.getAsLong();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            used = 0;
        }
        if (used >= LINES) {
            refused++;
            return null;
        }
        used++;
        if (refused == 0) {
            return "";
        }
        String note = " (" + refused + " similar lines about this peer left out)";
        refused = 0;
        return note;
    }
}
