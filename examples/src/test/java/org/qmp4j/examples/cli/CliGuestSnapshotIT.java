package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * {@code qmp4j ga} and a quiesced {@code qmp4j snapshot} of a real guest (booted under TCG) whose
 * agent freezes its file systems. The freeze runs inside the guest VM, never on the host.
 */
class CliGuestSnapshotIT {
    @RegisterExtension
    final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));

    private String agent() {
        return vm.guest().agentSocket().toString();
    }

    @Test
    void quiescedSnapshotFreezesTheGuestAndThawsIt() {
        CliRun ping = CliRun.inProcess("ga", "--socket", agent(), "--timeout", "30s", "guest-ping");
        assertThat(ping.exitCode()).as(ping.err()).isZero();
        assertThat(ping.json().isObject()).isTrue();
        assertThat(ping.json()).isEmpty();

        CliRun run = CliRun.inProcess("snapshot", "--qmp", vm.guest().qmpSocket().toString(), "--qga", agent(),
                "--quiesce", "required", "--name", "q1", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode result = run.json();
        assertThat(result.path("quiesced").asBoolean()).isTrue();
        assertThat(result.get("quiesceSkippedReason").isNull()).isTrue();
        assertThat(result.path("frozenFilesystems").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(result.path("freezeWindowMillis").asDouble()).isPositive()
                .isLessThan(Duration.ofSeconds(10).toMillis());
        assertThat(result.path("disks")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode disk = result.path("disks").get(i);
            Path image = vm.guest().disks().get(i);
            assertThat(disk.path("device").asText()).isEqualTo("vd" + i);
            assertThat(disk.path("base").asText()).isEqualTo(image.toString());
            assertThat(Path.of(disk.path("overlay").asText())).isEqualTo(image.resolveSibling("disk" + i + ".q1.qcow2"))
                    .exists();
        }

        CliRun status = CliRun.inProcess("ga", "--socket", agent(), "--timeout", "30s", "guest-fsfreeze-status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.json().asText()).isEqualTo("thawed");

        CliRun chain = CliRun.inProcess("chain", "--qmp", vm.guest().qmpSocket().toString(), "--json");
        assertThat(chain.exitCode()).as(chain.err()).isZero();
        assertThat(chain.json().path("disks").get(0).path("layers").findValuesAsText("image"))
                .containsExactly(result.path("disks").get(0).path("overlay").asText(), vm.guest().disks().get(0).toString());
    }

    /**
     * The script's JVM takes a quiesced snapshot without building an {@code ObjectMapper}: Jackson's
     * data binding would cost each command tens of milliseconds of set-up and introspection.
     */
    @Test
    void aQuiescedSnapshotFromTheScriptBuildsNoObjectMapper(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        CliRun run = CliRun.viaScript(CliRun.script(), dir, List.of("-Xlog:class+load=info:file=" + classes),
                "snapshot", "--qmp", vm.guest().qmpSocket().toString(), "--qga", agent(), "--quiesce", "required",
                "--name", "q2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("quiesced:            yes");
        String loaded = Files.readString(classes);
        assertThat(loaded).as("the log names the classes the snapshot loaded")
                .contains("org.qmp4j.snapshot.internal.SnapshotFlow ")
                .doesNotContain("com.fasterxml.jackson.databind.ObjectMapper ");
    }
}
