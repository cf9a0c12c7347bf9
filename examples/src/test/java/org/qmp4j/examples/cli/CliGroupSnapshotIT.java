package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/** {@code qmp4j snapshot --vm ... --vm ...}: a group snapshot of two real guests under write load. */
class CliGroupSnapshotIT {
    private static final TestGuest.Builder GUEST = TestGuest.builder().disks(2).workload(true);

    @RegisterExtension
    static final TestGuestExtension A = TestGuestExtension.with(GUEST);
    @RegisterExtension
    static final TestGuestExtension B = TestGuestExtension.with(GUEST);

    private static String vm(TestGuestExtension e) {
        return e.guest().qmpSocket() + "," + e.guest().agentSocket();
    }

    @Test
    void twoVmsSnapshotTogetherAsOneJsonObject() {
        CliRun run = CliRun.inProcess("snapshot", "--vm", vm(A), "--vm", vm(B), "--quiesce", "required",
                "--name", "g1", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.path("name").asText()).isEqualTo("g1");
        assertThat(result.path("allFrozenMillis").asDouble()).isPositive();
        assertThat(result.path("vms")).hasSize(2);
        List<TestGuestExtension> guests = List.of(A, B);
        for (int i = 0; i < 2; i++) {
            JsonNode vm = result.path("vms").get(i);
            assertThat(vm.path("qmp").asText()).endsWith(guests.get(i).guest().qmpSocket().toString());
            assertThat(vm.path("quiesced").asBoolean()).isTrue();
            assertThat(vm.path("freezeWindowMillis").asDouble())
                    .isGreaterThanOrEqualTo(result.path("allFrozenMillis").asDouble());
            assertThat(vm.path("disks")).hasSize(2);
            assertThat(Path.of(vm.path("disks").get(0).path("overlay").asText()))
                    .isEqualTo(guests.get(i).guest().disks().get(0).resolveSibling("disk0.g1.qcow2")).exists();
        }
    }

    @Test
    void aRequiredGroupWithAnAgentlessVmFailsBeforeAnythingIsCreated() throws Exception {
        List<Path> before = files(A.guest().dir());
        CliRun run = CliRun.inProcess("snapshot", "--vm", vm(A), "--vm", B.guest().qmpSocket().toString(),
                "--quiesce", "required", "--name", "g2");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED.code());
        assertThat(run.err()).contains("quiescing is required", B.guest().qmpSocket().toString());
        assertThat(files(A.guest().dir())).isEqualTo(before);
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }
}
