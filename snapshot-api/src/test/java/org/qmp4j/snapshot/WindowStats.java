package org.qmp4j.snapshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Order statistics of one benchmark column, in milliseconds: median (mean of the middle two for
 * an even count), p90 (nearest rank), min, max.
 */
record WindowStats(String name, int count, double median, double p90, double min, double max) {

    static WindowStats of(String name, List<Long> nanos) {
        if (nanos.isEmpty()) {
            throw new IllegalArgumentException(name + ": no samples");
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        int p90Rank = (int) Math.ceil(0.9 * n); // nearest rank, 1-based
        return new WindowStats(name, n, ms(median), ms(sorted.get(p90Rank - 1)), ms(sorted.get(0)),
                ms(sorted.get(n - 1)));
    }

    private static double ms(double nanos) {
        return nanos / 1_000_000.0;
    }

    String row() {
        return String.format("| %-44s | %3d | %8.3f | %8.3f | %8.3f | %8.3f |", name, count, median, p90, min, max);
    }

    static String header() {
        return String.format("| %-44s | %3s | %8s | %8s | %8s | %8s |%n|%s|-----|----------|----------|----------|----------|",
                "column (ms)", "n", "median", "p90", "min", "max", "-".repeat(46));
    }
}
