package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * What the thaw guardian costs a {@code qmp4j snapshot} from the command line: the same quiesced
 * snapshot of a TCG guest under write load, alternately with the guardian (as shipped) and
 * without ({@code -Dqmp4j.thawGuardian=false}), wall time of the whole process. The CLI starts
 * the guardian before it connects, so it costs the snapshot only what its start-up takes beyond
 * the rest of the CLI's. (Raw {@code qmp4j ga} commands start none.) Not a test: run it with
 * {@code mvn -B verify -pl examples -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=GuardianCostBenchmark -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
class GuardianCostBenchmark {
    private static final int ROUNDS = Integer.getInteger("qmp4j.bench.rounds", 6);

    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    @TempDir
    Path runDir;

    @Test
    void snapshotWallTimeWithAndWithoutTheGuardian() throws Exception {
        Map<String, List<Long>> wall = new TreeMap<>();
        for (int i = 0; i < ROUNDS; i++) {
            for (boolean guardian : new boolean[] {true, false}) {
                String name = (guardian ? "g" : "n") + i;
                long start = System.nanoTime();
                Process p = cli(guardian, "snapshot", "--qmp", vm.guest().qmpSocket().toString(), "--qga",
                        vm.guest().agentSocket().toString(), "--quiesce", "required", "--name", name);
                assertThat(p.waitFor()).as("snapshot %s", name).isZero();
                wall.computeIfAbsent(guardian ? "snapshot with guardian" : "snapshot without", k -> new ArrayList<>())
                        .add((System.nanoTime() - start) / 1_000_000);
            }
        }
        System.out.println("qmp4j wall time, " + ROUNDS + " rounds each, alternating (ms):");
        wall.forEach((k, v) -> System.out.println("  " + k + ": median " + median(v) + " " + v));
    }

    private Process cli(boolean guardian, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CliRun.script().toString()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectOutput(runDir.resolve("out").toFile())
                .redirectError(runDir.resolve("err").toFile());
        String opts = "-Dqmp4j.stateDirectory=" + runDir.resolve("state") + " " + CliRun.schemaCacheOption()
                + (guardian ? "" : " -Dqmp4j.thawGuardian=false");
        b.environment().put("QMP4J_JAVA_OPTS", opts);
        return b.start();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
