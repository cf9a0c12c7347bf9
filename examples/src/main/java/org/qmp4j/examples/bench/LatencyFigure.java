package org.qmp4j.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One client's round-trip times, round by round, with the JVM's CPU time per command. */
final class LatencyFigure {
    private final List<long[]> rounds = new ArrayList<>();
    private final List<Double> cpuMicros = new ArrayList<>();

    /** Adds one round: round-trip times in nanoseconds, and CPU µs per command. */
    void add(long[] nanos, double cpuMicrosPerCommand) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        rounds.add(sorted);
        cpuMicros.add(cpuMicrosPerCommand);
    }

    /** Percentile {@code p} (0..100) of round {@code round}, in µs. */
    double roundMicros(int round, double p) {
        return percentile(rounds.get(round), p) / 1000.0;
    }

    /** Percentile {@code p} of all rounds' samples pooled together, in µs. */
    double pooledMicros(double p) {
        long[] all = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return percentile(all, p) / 1000.0;
    }

    /** CPU µs per command in round {@code round}. */
    double roundCpu(int round) {
        return cpuMicros.get(round);
    }

    /** Median over the rounds of the CPU µs per command. */
    double medianCpu() {
        return Stats.median(cpuMicros);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalStateException("no samples");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
