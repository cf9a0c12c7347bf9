package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wrapper script's own behaviour, without a jar. */
class Qmp4jScriptTest {
    @TempDir
    Path dir;

    @Test
    void scriptIsExecutable() {
        assertThat(CliRun.script()).isExecutable();
    }

    @Test
    void missingJarSaysHowToBuildIt() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("examples/bin"));
        Path copy = Files.copy(CliRun.script(), bin.resolve("qmp4j"));
        Path link = Files.createSymbolicLink(dir.resolve("qmp4j-link"), copy);

        for (Path script : new Path[] {copy, link}) {
            CliRun run = CliRun.viaScript(script, dir, "help");

            assertThat(run.exitCode()).as(script.toString()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).contains(dir.toRealPath().resolve("examples/target/qmp4j.jar") + " not found")
                    .contains("mvn -B -q package -DskipTests");
        }
    }
}
