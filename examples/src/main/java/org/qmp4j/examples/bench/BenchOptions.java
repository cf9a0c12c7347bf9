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
 */
record BenchOptions(int warmup, int requests, int pipelined, int window, int rounds) {
    static final BenchOptions DEFAULTS = new BenchOptions(15_000, 8_000, 8_000, 8, 6);

    static final String USAGE = """
            usage: QmpBenchmark [--warmup N] [--requests N] [--pipelined N] [--window N] [--rounds N]
              --warmup N     sequential warm-up commands per client before the rounds (default %d)
              --requests N   sequential query-status round trips per client and round (default %d)
              --pipelined N  pipelined query-status commands per client and round (default %d)
              --window N     commands in flight in the pipelined test (default %d)
              --rounds N     rounds; each runs both clients, alternating which goes first (default %d)
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
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + name);
            }
            int value = number(name, args[++i]);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "--warmup" -> warmup = value;
                case "--requests" -> requests = value;
                case "--pipelined" -> pipelined = value;
                case "--window" -> window = value;
                case "--rounds" -> rounds = value;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new BenchOptions(warmup, requests, pipelined, window, rounds);
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
                + " --window " + window + " --rounds " + rounds;
    }
}
