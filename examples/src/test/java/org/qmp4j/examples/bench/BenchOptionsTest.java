package org.qmp4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsConnectEachSegmentAlone() {
        BenchOptions options = BenchOptions.parse();

        assertThat(options).isEqualTo(BenchOptions.DEFAULTS);
        assertThat(options.connections()).isEqualTo(BenchOptions.Connections.ALONE);
        assertThat(options.toString()).endsWith("--connections alone");
    }

    @Test
    void parsesEveryOption() {
        BenchOptions options = BenchOptions.parse("--warmup", "0", "--requests", "1_000", "--pipelined", "200",
                "--window", "4", "--rounds", "2", "--connections", "qmp4j-first");

        assertThat(options).isEqualTo(new BenchOptions(0, 1000, 200, 4, 2, BenchOptions.Connections.QMP4J_FIRST));
        assertThat(BenchOptions.parse(options.toString().split(" "))).isEqualTo(options);
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertThatThrownBy(() -> BenchOptions.parse("--connections", "both"))
                .hasMessage("--connections takes alone, plain-first or qmp4j-first, got both");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds", "0")).hasMessage("--rounds must be at least 1: 0");
        assertThatThrownBy(() -> BenchOptions.parse("--window")).hasMessage("missing value after --window");
        assertThatThrownBy(() -> BenchOptions.parse("--speed", "9")).hasMessage("unknown option --speed");
        assertThatThrownBy(() -> BenchOptions.parse("--requests", "many")).hasMessage("--requests needs a number, got many");
    }
}
