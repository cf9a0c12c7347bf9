package org.qmp4j.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prints the benchmark's environment, per-round figures, summary and verdict. */
final class Report {
    /** qmp4j's median latency may be at most this factor of the plain client's ... */
    static final double MAX_LATENCY_RATIO = 1.05;
    /** ... and its throughput must be at least this share of the plain client's. */
    static final double MIN_THROUGHPUT_RATIO = 0.95;

    private static final String ROW = "%-34s %12s %12s %8s  %s%n";

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
        out.printf("args:    %s%n", options);
    }

    void roundHeader() {
        out.printf("%n%-6s %-9s %9s %9s %11s %16s %11s%n", "round", "client", "p50 µs", "p99 µs", "CPU µs/cmd",
                "pipelined cmd/s", "CPU µs/cmd");
    }

    void round(int round, Results r) {
        latencyLine(round, "plain", r.plainLatency);
        out.printf(" %16.0f %11.1f%n", r.plainThroughput.round(round), r.plainThroughput.roundCpu(round));
        latencyLine(round, "qmp4j", r.qmp4jLatency);
        out.printf(" %16.0f %11.1f%n", r.qmp4jThroughput.round(round), r.qmp4jThroughput.roundCpu(round));
        latencyLine(round, "qmp4j-cb", r.qmp4jChained);
        out.printf("%n");
    }

    private void latencyLine(int round, String client, LatencyFigure f) {
        out.printf("%-6d %-9s %9.1f %9.1f %11.1f", round + 1, client, f.roundMicros(round, 50),
                f.roundMicros(round, 99), f.roundCpu(round));
    }

    /** Prints the summary table and verdict; returns whether qmp4j met the target. */
    boolean summary(BenchOptions options, Results r) {
        double latencyRatio = r.qmp4jLatency.pooledMicros(50) / r.plainLatency.pooledMicros(50);
        double throughputRatio = r.qmp4jThroughput.median() / r.plainThroughput.median();

        out.printf("%nsummary (latency: all rounds' samples pooled; throughput and CPU: median of the rounds)%n");
        out.printf(ROW, "figure", "plain", "qmp4j", "ratio", "target");
        latencyRow("latency p50 (µs)", r.plainLatency, r.qmp4jLatency, 50, "<= " + MAX_LATENCY_RATIO);
        latencyRow("latency p99 (µs)", r.plainLatency, r.qmp4jLatency, 99, "(reported only)");
        row("throughput, " + options.window() + " in flight (cmd/s)", r.plainThroughput.median(),
                r.qmp4jThroughput.median(), "%.0f", ">= " + MIN_THROUGHPUT_RATIO);
        row("JVM CPU per sequential cmd (µs)", r.plainLatency.medianCpu(), r.qmp4jLatency.medianCpu(), "%.1f",
                "(reported only)");
        row("JVM CPU per pipelined cmd (µs)", r.plainThroughput.medianCpu(), r.qmp4jThroughput.medianCpu(), "%.1f",
                "(reported only)");
        latencyRow("latency p50, qmp4j-cb (µs)", r.plainLatency, r.qmp4jChained, 50, "(diagnostic)");
        latencyRow("latency p99, qmp4j-cb (µs)", r.plainLatency, r.qmp4jChained, 99, "(diagnostic)");
        row("JVM CPU per cmd, qmp4j-cb (µs)", r.plainLatency.medianCpu(), r.qmp4jChained.medianCpu(), "%.1f",
                "(diagnostic)");
        out.printf("qmp4j-cb: qmp4j sending each next command from the previous one's completion callback on its"
                + " I/O thread,%n          i.e. without the caller-thread hand-offs of a blocking execute().%n");

        boolean pass = latencyRatio <= MAX_LATENCY_RATIO && throughputRatio >= MIN_THROUGHPUT_RATIO;
        out.printf("%n%s: qmp4j latency ratio %.3f (target <= %.2f), throughput ratio %.3f (target >= %.2f)%n",
                pass ? "PASS" : "FAIL", latencyRatio, MAX_LATENCY_RATIO, throughputRatio, MIN_THROUGHPUT_RATIO);
        return pass;
    }

    private void latencyRow(String name, LatencyFigure plain, LatencyFigure qmp4j, double p, String target) {
        row(name, plain.pooledMicros(p), qmp4j.pooledMicros(p), "%.1f", target);
    }

    private void row(String name, double plain, double qmp4j, String format, String target) {
        out.printf(ROW, name, String.format(format, plain), String.format(format, qmp4j),
                String.format("%.3f", qmp4j / plain), target);
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
