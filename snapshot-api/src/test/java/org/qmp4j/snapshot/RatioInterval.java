package org.qmp4j.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How far a ratio of medians can be trusted: a paired bootstrap (rounds drawn with replacement,
 * each keeping both of its values), 2000 resamples, fixed seed so a report can be reproduced
 * from its numbers.
 */
record RatioInterval(double low, double high) {
    private static final int RESAMPLES = 2000;

    static RatioInterval of(List<Long> ours, List<Long> reference) {
        if (ours.size() != reference.size() || ours.isEmpty()) {
            throw new IllegalArgumentException("need paired samples: " + ours.size() + " vs " + reference.size());
        }
        Random random = new Random(42);
        int n = ours.size();
        double[] ratios = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            List<Long> a = new ArrayList<>(n);
            List<Long> b = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(n);
                a.add(ours.get(pick));
                b.add(reference.get(pick));
            }
            ratios[r] = WindowStats.of("a", a).median() / WindowStats.of("b", b).median();
        }
        Arrays.sort(ratios);
        return new RatioInterval(ratios[(int) (RESAMPLES * 0.025)], ratios[(int) (RESAMPLES * 0.975) - 1]);
    }
}
