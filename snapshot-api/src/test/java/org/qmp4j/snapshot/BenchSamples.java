package org.qmp4j.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Named columns of durations (nanoseconds), one value per round. */
final class BenchSamples {
    private final Map<String, List<Long>> columns = new HashMap<>();
    private final boolean discard;

    private BenchSamples(boolean discard) {
        this.discard = discard;
    }

    static BenchSamples create() {
        return new BenchSamples(false);
    }

    /** A sink for warm-up rounds: records nothing. */
    static BenchSamples discarding() {
        return new BenchSamples(true);
    }

    void add(String column, long nanos) {
        if (!discard) {
            columns.computeIfAbsent(column, c -> new ArrayList<>()).add(nanos);
        }
    }

    List<Long> column(String name) {
        List<Long> values = columns.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no column " + name);
        }
        return values;
    }

    WindowStats stats(String name) {
        return WindowStats.of(name, column(name));
    }
}
