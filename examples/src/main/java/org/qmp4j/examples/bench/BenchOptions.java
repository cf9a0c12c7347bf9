package org.qmp4j.examples.bench;

import java.util.Locale;

/**
 * The benchmark's settings, from its command line.
 *
 * @param warmup sequential commands each client runs once before the rounds (and a quarter of
 *        that pipelined), so that the JIT has compiled both paths
 * @param requests sequential {@code query-status} round trips measured per client and round
 * @param pipelined commands per client and round in the pipelined throughput test
 * @param window commands kept in flight in the pipelined test
 * @param rounds number of rounds; each runs both clients, in alternating order
 * @param connections how the clients connect: each segment alone (the fair default), or both
 *        for the whole run in a given order, to show the bias QEMU's connection order puts on
 *        the figures
 */
record BenchOptions(int warmup, int requests, int pipelined, int window, int rounds, Connections connections) {
    static final BenchOptions DEFAULTS = new BenchOptions(15_000, 8_000, 8_000, 8, 6, Connections.ALONE);

    /** How the two clients are connected to QEMU. */
    enum Connections {
        /** Each measured segment connects its client as QEMU's only QMP client. */
        ALONE("alone"),
        /** Both connected all run, the plain client first. */
        PLAIN_FIRST("plain-first"),
        /** Both connected all run, qmp4j first. */
        QMP4J_FIRST("qmp4j-first");

        final String option;

        Connections(String option) {
            this.option = option;
        }

        static Connections parse(String value) {
            for (Connections c : values()) {
                if (c.option.equals(value)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("--connections takes alone, plain-first or qmp4j-first, got " + value);
        }
    }

    static final String USAGE = """
            usage: QmpBenchmark [--warmup N] [--requests N] [--pipelined N] [--window N] [--rounds N]
                                [--connections alone|plain-first|qmp4j-first]
              --warmup N     sequential warm-up commands per client before the rounds (default %d)
              --requests N   sequential query-status round trips per client and round (default %d)
              --pipelined N  pipelined query-status commands per client and round (default %d)
              --window N     commands in flight in the pipelined test (default %d)
              --rounds N     rounds; each runs both clients, alternating which goes first (default %d)
              --connections alone        each segment connects its client as QEMU's only QMP client (default)
              --connections plain-first  both stay connected all run, plain first (biased, for comparison)
              --connections qmp4j-first  both stay connected all run, qmp4j first (biased, for comparison)
            """.formatted(DEFAULTS.warmup, DEFAULTS.requests, DEFAULTS.pipelined, DEFAULTS.window, DEFAULTS.rounds);

    BenchOptions {
        atLeast("--warmup", warmup, 0);
        atLeast("--requests", requests, 100);
        atLeast("--pipelined", pipelined, 100);
        atLeast("--window", window, 1);
        atLeast("--rounds", rounds, 1);
    }

    /** Parses {@code args}; throws {@link IllegalArgumentException} with the reason on bad input. */
    static BenchOptions parse(String... args) {
        int warmup = DEFAULTS.warmup;
        int requests = DEFAULTS.requests;
        int pipelined = DEFAULTS.pipelined;
        int window = DEFAULTS.window;
        int rounds = DEFAULTS.rounds;
        Connections connections = DEFAULTS.connections;
        for (int i = 0; i < args.length; i++) {
            String name = args[i].toLowerCase(Locale.ROOT);
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + name);
            }
            String value = args[++i];
            switch (name) {
                case "--warmup" -> warmup = number(name, value);
                case "--requests" -> requests = number(name, value);
                case "--pipelined" -> pipelined = number(name, value);
                case "--window" -> window = number(name, value);
                case "--rounds" -> rounds = number(name, value);
                case "--connections" -> connections = Connections.parse(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
            }
        }
        return new BenchOptions(warmup, requests, pipelined, window, rounds, connections);
    }

    private static int number(String name, String text) {
        try {
            return Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got " + text, e);
        }
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
        }
    }

    @Override
    public String toString() {
        return "--warmup " + warmup + " --requests " + requests + " --pipelined " + pipelined
                + " --window " + window + " --rounds " + rounds + " --connections " + connections.option;
    }
}
