package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
    private static final long MS = 1_000_000L;

    @Test
    void oddCountTakesTheMiddleValueAndNearestRankP90() {
        WindowStats s = WindowStats.of("x", List.of(5 * MS, 1 * MS, 3 * MS, 2 * MS, 4 * MS));
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.p90()).isEqualTo(5.0); // rank ceil(4.5) = 5
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(5.0);
        assertThat(s.count()).isEqualTo(5);
    }

    @Test
    void evenCountAveragesTheMiddleTwo() {
        List<Long> twenty = new java.util.ArrayList<>();
        for (long i = 20; i >= 1; i--) {
            twenty.add(i * MS);
        }
        WindowStats s = WindowStats.of("x", twenty);
        assertThat(s.median()).isEqualTo(10.5);
        assertThat(s.p90()).isEqualTo(18.0); // rank 18 of 20
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(() -> WindowStats.of("empty", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratioIntervalOfIdenticalColumnsIsExactlyOneAndOfAScaledColumnItsScale() {
        List<Long> a = List.of(100 * MS, 120 * MS, 90 * MS, 150 * MS, 110 * MS, 130 * MS);
        assertThat(RatioInterval.of(a, a)).isEqualTo(new RatioInterval(1.0, 1.0));
        List<Long> doubled = a.stream().map(v -> v * 2).toList();
        RatioInterval twice = RatioInterval.of(doubled, a);
        assertThat(twice.low()).isEqualTo(2.0);
        assertThat(twice.high()).isEqualTo(2.0);
        assertThatThrownBy(() -> RatioInterval.of(a, a.subList(0, 3))).isInstanceOf(IllegalArgumentException.class);
    }
}
