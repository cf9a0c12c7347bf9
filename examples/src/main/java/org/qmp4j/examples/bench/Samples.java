package org.qmp4j.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Measurements of one client for one figure, collected round by round. */
final class Samples {
    private final List<long[]> latencyRounds = new ArrayList<>();
    private final List<Double> throughputRounds = new ArrayList<>();
    private final List<Double> latencyCpuRounds = new ArrayList<>();
    private final List<Double> throughputCpuRounds = new ArrayList<>();

    /** Adds one round's round-trip times in nanoseconds and the JVM's CPU time per command (µs). */
    void addLatencies(long[] nanos, double cpuMicrosPerCommand) {
        latencyRounds.add(nanos.clone());
        latencyCpuRounds.add(cpuMicrosPerCommand);
    }

    /** Adds one round's throughput in commands per second and the JVM's CPU time per command (µs). */
    void addThroughput(double perSecond, double cpuMicrosPerCommand) {
        throughputRounds.add(perSecond);
        throughputCpuRounds.add(cpuMicrosPerCommand);
    }

    /** CPU µs per command in round {@code round}'s sequential test. */
    double roundLatencyCpu(int round) {
        return latencyCpuRounds.get(round);
    }

    /** CPU µs per command in round {@code round}'s pipelined test. */
    double roundThroughputCpu(int round) {
        return throughputCpuRounds.get(round);
    }

    /** Median over the rounds of the CPU µs per command, sequential test. */
    double medianLatencyCpu() {
        return median(latencyCpuRounds);
    }

    /** Median over the rounds of the CPU µs per command, pipelined test. */
    double medianThroughputCpu() {
        return median(throughputCpuRounds);
    }

    /** Percentile {@code p} (0..100) of the latencies of round {@code round}, in µs. */
    double roundLatencyMicros(int round, double p) {
        long[] sorted = latencyRounds.get(round).clone();
        Arrays.sort(sorted);
        return percentile(sorted, p) / 1000.0;
    }

    /** Percentile {@code p} of all rounds' latencies pooled together, in µs. */
    double pooledLatencyMicros(double p) {
        long[] all = latencyRounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return percentile(all, p) / 1000.0;
    }

    /** Throughput of round {@code round}. */
    double roundThroughput(int round) {
        return throughputRounds.get(round);
    }

    /** The median of the rounds' throughputs. */
    double medianThroughput() {
        return median(throughputRounds);
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
