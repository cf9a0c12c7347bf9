package org.qmp4j.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The test guest's fsfreeze hook log: qemu-ga runs the hook just before it freezes and just after
 * it thawed, and the hook appends {@code freeze|thaw UPTIME NANOS} to {@link #PATH} (the guest's
 * monotonic clock, in nanoseconds). The spans between the pairs are the freeze windows as the
 * guest saw them: what a benchmark of the freeze should measure.
 */
public final class FreezeHookLog {
    /** Where the hook writes, inside the guest. */
    public static final String PATH = "/run/qmp4j-fsfreeze.log";

    private FreezeHookLog() {
    }

    /**
     * Each freeze/thaw pair's span in nanoseconds, in order.
     *
     * @throws IllegalStateException when a line has no nanoseconds (an old guest image), the
     *         pairs are out of order, or the last freeze has no thaw
     */
    public static List<Long> windows(String log) {
        List<Long> windows = new ArrayList<>();
        Long frozenAt = null;
        for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) {
                throw new IllegalStateException("hook log line without nanoseconds (an old guest image?): " + line);
            }
            long at = Long.parseLong(f[2]);
            if (f[0].equals("freeze") && frozenAt == null) {
                frozenAt = at;
            } else if (f[0].equals("thaw") && frozenAt != null) {
                windows.add(at - frozenAt);
                frozenAt = null;
            } else {
                throw new IllegalStateException("hook log out of order at: " + line);
            }
        }
        if (frozenAt != null) {
            throw new IllegalStateException("hook log: a freeze without its thaw");
        }
        return windows;
    }
}
