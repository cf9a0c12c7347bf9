package org.qmp4j.examples.bench;

/** Every figure of a run. */
final class Results {
    final LatencyFigure plainLatency = new LatencyFigure();
    final LatencyFigure qmp4jLatency = new LatencyFigure();
    /** qmp4j's sequential round trips sent from completion callbacks (diagnostic). */
    final LatencyFigure qmp4jChained = new LatencyFigure();
    final ThroughputFigure plainThroughput = new ThroughputFigure();
    final ThroughputFigure qmp4jThroughput = new ThroughputFigure();

    LatencyFigure latency(BenchTarget client) {
        return client instanceof PlainQmpClient ? plainLatency : qmp4jLatency;
    }

    ThroughputFigure throughput(BenchTarget client) {
        return client instanceof PlainQmpClient ? plainThroughput : qmp4jThroughput;
    }
}
