package org.qmp4j.examples.bench;

import java.util.ArrayList;
import java.util.List;

/** One client's pipelined throughput, round by round, with the JVM's CPU time per command. */
final class ThroughputFigure {
    private final List<Double> rounds = new ArrayList<>();
    private final List<Double> cpuMicros = new ArrayList<>();

    /** Adds one round: commands per second, and CPU µs per command. */
    void add(double perSecond, double cpuMicrosPerCommand) {
        rounds.add(perSecond);
        cpuMicros.add(cpuMicrosPerCommand);
    }

    /** Commands per second in round {@code round}. */
    double round(int round) {
        return rounds.get(round);
    }

    /** The median of the rounds' commands per second. */
    double median() {
        return Stats.median(rounds);
    }

    /** CPU µs per command in round {@code round}. */
    double roundCpu(int round) {
        return cpuMicros.get(round);
    }

    /** Median over the rounds of the CPU µs per command. */
    double medianCpu() {
        return Stats.median(cpuMicros);
    }
}
