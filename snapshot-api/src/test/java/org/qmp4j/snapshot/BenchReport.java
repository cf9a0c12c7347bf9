package org.qmp4j.snapshot;

import static org.qmp4j.snapshot.FreezeWindowBenchmark.FLOW_TAKE;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.FLOW_WINDOW;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.PLAIN_CALL;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.PLAIN_WINDOW;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.QMP4J_CALL;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.QMP4J_WINDOW;
import static org.qmp4j.snapshot.FreezeWindowBenchmark.TARGET;

import java.util.ArrayList;
import java.util.List;

/** The freeze-window benchmark's report, as Markdown: the table, the ratios, every round's windows. */
final class BenchReport {
    private BenchReport() {
    }

    static String render(BenchSamples samples, String qemuVersion, int warmup) {
        int rounds = samples.column(PLAIN_WINDOW).size();
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n## Freeze window: %d rounds each (+%d warm-up), plain / qmp4j / SnapshotFlow "
                        + "interleaved, order rotating%n%n", rounds, warmup));
        out.append(String.format("QEMU %s, TCG guest, %d data disks under write load; host: %d cores, Java %s, %s%n%n",
                qemuVersion, FreezeWindowBenchmark.DISKS, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        out.append(WindowStats.header()).append('\n');
        for (String name : FreezeWindowBenchmark.COLUMNS) {
            out.append(samples.stats(name).row()).append('\n');
        }
        out.append(WindowStats.of("paired: qmp4j frozenFor - plain window", paired(samples, QMP4J_WINDOW)).row())
                .append('\n');
        out.append(WindowStats.of("paired: SnapshotFlow window - plain window", paired(samples, FLOW_WINDOW)).row())
                .append('\n');
        out.append(WindowStats.of("paired: qmp4j stopwatch - frozenFor", difference(samples.column(QMP4J_CALL),
                samples.column(QMP4J_WINDOW))).row()).append('\n');
        out.append('\n');
        out.append(ratio(samples, QMP4J_WINDOW, PLAIN_WINDOW, true));
        out.append(ratio(samples, FLOW_WINDOW, PLAIN_WINDOW, true));
        out.append(ratio(samples, QMP4J_CALL, PLAIN_CALL, false));
        out.append(noiseFloor(samples.column(PLAIN_WINDOW)));
        out.append(roundTrips(samples));
        out.append(String.format("%nPer round, window in ms (plain | qmp4j frozenFor | qmp4j stopwatch | "
                + "SnapshotFlow freezeWindow | SnapshotFlow take):%n"));
        List<Long> plain = samples.column(PLAIN_WINDOW);
        for (int i = 0; i < rounds; i++) {
            out.append(String.format("  %3d: %8.2f | %8.2f | %8.2f | %8.2f | %8.1f%n", i + 1, ms(plain.get(i)),
                    ms(samples.column(QMP4J_WINDOW).get(i)), ms(samples.column(QMP4J_CALL).get(i)),
                    ms(samples.column(FLOW_WINDOW).get(i)), ms(samples.column(FLOW_TAKE).get(i))));
        }
        return out.toString();
    }

    private static String ratio(BenchSamples samples, String ours, String reference, boolean judged) {
        double r = samples.stats(ours).median() / samples.stats(reference).median();
        String verdict = judged ? (r <= TARGET ? "PASS" : "FAIL") + String.format(" (target <= %.2f)", TARGET)
                : "(for information)";
        RatioInterval ci = RatioInterval.of(samples.column(ours), samples.column(reference));
        long longer = difference(samples.column(ours), samples.column(reference)).stream().filter(d -> d > 0).count();
        return String.format("ratio of medians  %s / %s = %.3f  %s%n    95%% interval [%.3f, %.3f] (paired "
                        + "bootstrap); longer in %d of %d rounds%n", ours, reference, r, verdict, ci.low(), ci.high(),
                longer, samples.column(ours).size());
    }

    /** The one-command yardstick: each client's round trip, and what qmp4j adds to one. */
    private static String roundTrips(BenchSamples samples) {
        StringBuilder out = new StringBuilder(String.format("%nOne command, for scale (the window holds four):%n"));
        out.append(WindowStats.header()).append('\n');
        for (String name : List.of(RoundTripReference.QMP_PLAIN, RoundTripReference.QMP_QMP4J,
                RoundTripReference.AGENT_PLAIN, RoundTripReference.AGENT_QMP4J)) {
            out.append(samples.stats(name).row()).append('\n');
        }
        double qmp = samples.stats(RoundTripReference.QMP_QMP4J).median()
                - samples.stats(RoundTripReference.QMP_PLAIN).median();
        double agent = samples.stats(RoundTripReference.AGENT_QMP4J).median()
                - samples.stats(RoundTripReference.AGENT_PLAIN).median();
        out.append(String.format("qmp4j adds per command (difference of medians): QMP %+.0f us, agent %+.0f us%n",
                qmp * 1000, agent * 1000));
        return out.toString();
    }

    /** Per round: this column minus the plain window of the same round (may be negative). */
    private static List<Long> paired(BenchSamples samples, String column) {
        return difference(samples.column(column), samples.column(PLAIN_WINDOW));
    }

    /** Element by element, {@code a - b}. */
    private static List<Long> difference(List<Long> a, List<Long> b) {
        List<Long> diff = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            diff.add(a.get(i) - b.get(i));
        }
        return diff;
    }

    /**
     * The same client against itself, odd rounds over even rounds: how far a ratio of medians
     * strays with no difference in the client at all.
     */
    private static String noiseFloor(List<Long> plain) {
        if (plain.size() < 4) {
            return "";
        }
        List<Long> odd = new ArrayList<>();
        List<Long> even = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            (i % 2 == 0 ? odd : even).add(plain.get(i));
        }
        double r = WindowStats.of("odd", odd).median() / WindowStats.of("even", even).median();
        return String.format("noise floor: plain odd rounds / plain even rounds = %.3f (same client, no difference)%n",
                r);
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
