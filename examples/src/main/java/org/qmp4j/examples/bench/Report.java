package org.qmp4j.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Prints the benchmark's environment, per-round figures, summary and verdict. */
final class Report {
    /** qmp4j may be at most this much slower (latency) ... */
    static final double MAX_LATENCY_RATIO = 1.05;
    /** ... and must reach at least this share of the plain client's throughput. */
    static final double MIN_THROUGHPUT_RATIO = 0.95;

    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void environment(BenchOptions options, String qemuVersion) {
        Runtime rt = Runtime.getRuntime();
        out.printf("machine: %d cores, %s; %s %s (%s)%n", rt.availableProcessors(), cpuModel(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.printf("JDK:     %s %s, max heap %d MiB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), rt.maxMemory() >> 20);
        out.printf("QEMU:    %s%n", qemuVersion);
        out.printf("args:    %s%n%n", options);
    }

    void roundHeader() {
        out.printf("%-6s %-7s %10s %10s %10s %16s %10s%n", "round", "client", "p50 µs", "p99 µs", "CPU µs/cmd",
                "pipelined cmd/s", "CPU µs/cmd");
    }

    void round(int round, String client, Samples s) {
        out.printf("%-6d %-7s %10.1f %10.1f %10.1f %16.0f %10.1f%n", round + 1, client,
                s.roundLatencyMicros(round, 50), s.roundLatencyMicros(round, 99), s.roundLatencyCpu(round),
                s.roundThroughput(round), s.roundThroughputCpu(round));
    }

    /** Prints the summary table and verdict; returns whether qmp4j met the target. */
    boolean summary(BenchOptions options, Samples plain, Samples qmp4j) {
        double p50Plain = plain.pooledLatencyMicros(50);
        double p50Lib = qmp4j.pooledLatencyMicros(50);
        double p99Plain = plain.pooledLatencyMicros(99);
        double p99Lib = qmp4j.pooledLatencyMicros(99);
        double tputPlain = plain.medianThroughput();
        double tputLib = qmp4j.medianThroughput();
        double latencyRatio = p50Lib / p50Plain;
        double throughputRatio = tputLib / tputPlain;

        out.printf("%nsummary (latency: all rounds' samples pooled; throughput: median of the rounds)%n");
        out.printf("%-34s %12s %12s %8s  %s%n", "figure", "plain", "qmp4j", "ratio", "target");
        out.printf("%-34s %12.1f %12.1f %8.3f  %s%n", "query-status latency p50 (µs)", p50Plain, p50Lib,
                latencyRatio, "<= " + MAX_LATENCY_RATIO);
        out.printf("%-34s %12.1f %12.1f %8.3f  %s%n", "query-status latency p99 (µs)", p99Plain, p99Lib,
                p99Lib / p99Plain, "(reported only)");
        out.printf("%-34s %12.0f %12.0f %8.3f  %s%n", "throughput, " + options.window() + " in flight (cmd/s)",
                tputPlain, tputLib, throughputRatio, ">= " + MIN_THROUGHPUT_RATIO);
        out.printf("%-34s %12.1f %12.1f %8.3f  %s%n", "JVM CPU per sequential cmd (µs)", plain.medianLatencyCpu(),
                qmp4j.medianLatencyCpu(), qmp4j.medianLatencyCpu() / plain.medianLatencyCpu(), "(reported only)");
        out.printf("%-34s %12.1f %12.1f %8.3f  %s%n", "JVM CPU per pipelined cmd (µs)", plain.medianThroughputCpu(),
                qmp4j.medianThroughputCpu(), qmp4j.medianThroughputCpu() / plain.medianThroughputCpu(),
                "(reported only)");
        boolean pass = latencyRatio <= MAX_LATENCY_RATIO && throughputRatio >= MIN_THROUGHPUT_RATIO;
        out.printf(Locale.ROOT, "%s: qmp4j latency ratio %.3f (target <= %.2f), throughput ratio %.3f (target >= %.2f)%n",
                pass ? "PASS" : "FAIL", latencyRatio, MAX_LATENCY_RATIO, throughputRatio, MIN_THROUGHPUT_RATIO);
        return pass;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }
}
