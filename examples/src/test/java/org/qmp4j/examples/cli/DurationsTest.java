package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "500ms, 500",
        "5s,    5000",
        "2m,    120000",
        "1h,    3600000",
        "7,     7000",
        "0.5,   500",
        "1.5s,  1500",
        "0.25m, 15000",
        "1ms,   1",
    })
    void parsesUnitsAndPlainSeconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void roundsSubNanosecondFractionsUp() {
        assertThat(Durations.parse("0.0000000001")).isEqualTo(Duration.ofNanos(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "5x", "5 s", " 5s", "-1s", "+1s", "1e3", "5S", ".5", "5.", "1d", "ms"})
    void rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0ms", "0.0s", "0h"})
    void rejectsZero(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("must be more than zero");
    }

    @Test
    void rejectsWhatDoesNotFitADuration() {
        assertThatThrownBy(() -> Durations.parse("99999999999999h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("too long");
    }

    @ParameterizedTest
    @CsvSource({"1h", "2m", "5s", "500ms", "90m", "61s", "1500ms", "0.5ms"})
    void formatsTheShortestFormParseReadsBack(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
