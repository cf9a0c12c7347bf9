package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qmp4j.snapshot.ImageException;

/** Runs tiny host programs ({@code sh}, {@code sleep}); no QEMU. */
class ProcessRunnerTest {
    @Test
    void collectsStdoutStderrAndExitCodeSeparately() {
        ProcessRunner.Output out = ProcessRunner.run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(30));
        assertThat(out).isEqualTo(new ProcessRunner.Output(3, "out\n", "err\n"));
    }

    @Test
    void aProgramPastItsDeadlineIsKilled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ProcessRunner.run(List.of("sleep", "30"), Duration.ofMillis(300)))
                .isInstanceOf(ImageException.class).hasMessageContaining("did not end within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aProgramThatCannotStartIsAnImageException() {
        assertThatThrownBy(() -> ProcessRunner.run(List.of("/nonexistent/program"), Duration.ofSeconds(5)))
                .isInstanceOf(ImageException.class).hasMessageContaining("cannot run");
    }
}
