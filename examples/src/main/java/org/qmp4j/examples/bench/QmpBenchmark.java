package org.qmp4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;

/**
 * Compares qmp4j with a minimal hand-written QMP client ({@link PlainQmpClient}) against one
 * {@code qemu-system-x86_64 -machine none} that it starts itself, with one QMP socket per client.
 * Each measured segment connects its client afresh, as QEMU's only QMP client at that moment.
 *
 * <p>Figures per client: the latency of sequential {@code query-status} round trips (p50 and
 * p99) and the throughput of {@code query-status} with a fixed number of commands in flight.
 * Both clients are warmed up first; then each round measures both, alternating which one goes
 * first (plain-qmp4j, qmp4j-plain, ...) so that drift of the machine hits both alike. Only one
 * client is busy at a time. The verdict: qmp4j's median latency at most 5% above the plain
 * client's, and its throughput at least 95% of it. For diagnosis, each round also measures
 * qmp4j's sequential latency with every next command sent from the previous one's completion
 * callback (no caller thread involved), and the JVM's CPU time per command.
 *
 * <p>Exit status: 0 PASS, 1 FAIL, 2 the benchmark could not run. Run it with
 * {@code scripts/bench.sh [--warmup N] [--requests N] [--pipelined N] [--window N] [--rounds N]
 * [--connections alone|plain-first|qmp4j-first]}.
 */
public final class QmpBenchmark {
    /** CPU time of the whole JVM (all threads: caller, I/O, GC, JIT), per measured segment. */
    private static final OperatingSystemMXBean CPU =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final BenchOptions options;
    private final PrintStream out;

    private QmpBenchmark(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Entry point; see the class documentation for the arguments. */
    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = new QmpBenchmark(options, System.out).run() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            status = 2;
        }
        System.exit(status);
    }

    private boolean run() throws Exception {
        Report report = new Report(out);
        try (BenchQemu qemu = BenchQemu.start()) {
            Connector<PlainQmpClient> plain = () -> new Lease<>(PlainQmpClient.connect(qemu.plainSocket()), true);
            Connector<Qmp4jTarget> qmp4j = () -> new Lease<>(Qmp4jTarget.connect(qemu.qmp4jSocket()), true);
            String greeting;
            try (Lease<PlainQmpClient> probe = plain.connect()) {
                greeting = probe.client().greeting();
            }
            report.environment(options, qemuVersion(greeting));
            return switch (options.connections()) {
                case ALONE -> measure(report, plain, qmp4j);
                case PLAIN_FIRST -> {
                    try (Lease<PlainQmpClient> p = plain.connect(); Lease<Qmp4jTarget> q = qmp4j.connect()) {
                        yield measure(report, p::shared, q::shared);
                    }
                }
                case QMP4J_FIRST -> {
                    try (Lease<Qmp4jTarget> q = qmp4j.connect(); Lease<PlainQmpClient> p = plain.connect()) {
                        yield measure(report, p::shared, q::shared);
                    }
                }
            };
        }
    }

    private boolean measure(Report report, Connector<PlainQmpClient> plain, Connector<Qmp4jTarget> qmp4j)
            throws Exception {
        warmUp(plain);
        warmUp(qmp4j);
        Results results = new Results();
        report.roundHeader();
        for (int round = 0; round < options.rounds(); round++) {
            boolean plainFirst = round % 2 == 0;
            Connector<?> first = plainFirst ? plain : qmp4j;
            Connector<?> second = plainFirst ? qmp4j : plain;
            measureLatency(first, results);
            measureLatency(second, results);
            measureChained(qmp4j, results.qmp4jChained);
            measureThroughput(first, results);
            measureThroughput(second, results);
            report.round(round, results);
        }
        return report.summary(options, results);
    }

    /**
     * Gives a segment its client. By default each segment connects its own, as QEMU's only QMP
     * client: with two connected, QEMU 7.2 answers the one that connected first about 4% faster
     * (see docs/BENCHMARKS.md), which would favour whichever client connected first.
     */
    @FunctionalInterface
    private interface Connector<T extends BenchTarget> {
        Lease<T> connect() throws Exception;
    }

    /** A client for one segment; closed afterwards if the segment connected it. */
    private record Lease<T extends BenchTarget>(T client, boolean owned) implements AutoCloseable {
        /** The same client for another segment, which leaves it open. */
        Lease<T> shared() {
            return new Lease<>(client, false);
        }

        @Override
        public void close() throws Exception {
            if (owned) {
                client.close();
            }
        }
    }

    private void warmUp(Connector<?> connector) throws Exception {
        if (options.warmup() == 0) {
            return;
        }
        try (Lease<?> lease = connector.connect()) {
            BenchTarget client = lease.client();
            out.printf("warming up %s: %d sequential and %d pipelined commands%n", client.name(),
                    options.warmup(), options.warmup());
            latencies(client, options.warmup());
            client.pipelined(options.warmup(), options.window());
        }
    }

    private void measureLatency(Connector<?> connector, Results results) throws Exception {
        try (Lease<?> lease = connector.connect()) {
            quiesce();
            long cpu = CPU.getProcessCpuTime();
            long[] nanos = latencies(lease.client(), options.requests());
            results.latency(lease.client()).add(nanos, cpuMicrosPerCommand(cpu, options.requests()));
        }
    }

    private void measureChained(Connector<Qmp4jTarget> connector, LatencyFigure figure) throws Exception {
        try (Lease<Qmp4jTarget> lease = connector.connect()) {
            quiesce();
            long cpu = CPU.getProcessCpuTime();
            long[] nanos = lease.client().chainedLatencies(options.requests());
            figure.add(nanos, cpuMicrosPerCommand(cpu, options.requests()));
        }
    }

    private void measureThroughput(Connector<?> connector, Results results) throws Exception {
        try (Lease<?> lease = connector.connect()) {
            quiesce();
            long cpu = CPU.getProcessCpuTime();
            long nanos = lease.client().pipelined(options.pipelined(), options.window());
            results.throughput(lease.client()).add(options.pipelined() * 1e9 / nanos,
                    cpuMicrosPerCommand(cpu, options.pipelined()));
        }
    }

    /** Sequential round trips; each sample in nanoseconds. */
    private static long[] latencies(BenchTarget client, int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            client.roundTrip();
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static double cpuMicrosPerCommand(long cpuNanosBefore, int commands) {
        return (CPU.getProcessCpuTime() - cpuNanosBefore) / 1000.0 / commands;
    }

    /** Collects the previous segment's garbage now, so that each client pays only for its own. */
    private static void quiesce() {
        System.gc();
    }

    private static String qemuVersion(String greeting) {
        try {
            JsonNode v = new ObjectMapper().readTree(greeting).path("QMP").path("version");
            JsonNode q = v.path("qemu");
            return q.path("major").asInt() + "." + q.path("minor").asInt() + "." + q.path("micro").asInt()
                    + " (" + v.path("package").asText() + ")";
        } catch (Exception e) {
            return greeting;
        }
    }
}
