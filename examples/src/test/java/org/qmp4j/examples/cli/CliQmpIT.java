package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.QemuProcess;

/** {@code qmp4j qmp} against a real QEMU, run in this JVM. */
class CliQmpIT {
    /** Generous: the runs below have a 500 ms deadline. */
    private static final Duration SLOW = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private QemuProcess qemu;

    @BeforeEach
    void startQemu() {
        qemu = QemuProcess.startMachineNone();
    }

    @AfterEach
    void stopQemu() {
        qemu.close();
    }

    private String socket() {
        return qemu.qmpSocket().toString();
    }

    @Test
    void printsTheReturnValueAsOnePrettyJsonDocument() {
        CliRun run = CliRun.inProcess("qmp", "--socket", socket(), "query-status");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode status = run.json();
        assertThat(status.path("status").asText()).isEqualTo("running");
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(run.out()).startsWith("{\n  \"").endsWith("}\n");
    }

    @Test
    void sendsTheJsonArguments() {
        CliRun root = CliRun.inProcess("qmp", "--socket", socket(), "qom-list", "{\"path\":\"/\"}");
        CliRun machine = CliRun.inProcess("qmp", "--socket", socket(), "qom-list", "{\"path\":\"/machine\"}");

        assertThat(root.exitCode()).as(root.err()).isZero();
        assertThat(machine.exitCode()).as(machine.err()).isZero();
        assertThat(root.json().findValuesAsText("name")).contains("machine").doesNotContain("peripheral");
        assertThat(machine.json().findValuesAsText("name")).contains("peripheral").doesNotContain("machine");
    }

    @Test
    void humanMonitorCommandReturnsItsText() {
        JsonNode version;
        try (QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            version = client.execute("query-version").path("qemu");
        }

        CliRun run = CliRun.inProcess("qmp", "--socket", socket(), "--timeout", "5s",
                "human-monitor-command", "{\"command-line\":\"info version\"}");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().isTextual()).isTrue();
        assertThat(run.json().asText()).startsWith(version.path("major").asInt() + "."
                + version.path("minor").asInt() + "." + version.path("micro").asInt());
    }

    @Test
    void errorReplyExits3WithClassAndDescription() {
        CliRun run = CliRun.inProcess("qmp", "--socket", socket(), "no-such-command");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: CommandNotFound: The command no-such-command has not been found\n");
    }

    @Test
    void missingSocketExits4() {
        Path absent = dir.resolve("absent.sock");

        CliRun run = CliRun.inProcess("qmp", "--socket", absent.toString(), "query-status");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: cannot connect to unix:" + absent);
    }

    @Test
    void stoppedQemuExits5() throws Exception {
        CliRun run;
        long start = System.nanoTime();
        try (ProcessPause paused = ProcessPause.pause(qemu.process())) {
            run = CliRun.inProcess("qmp", "--socket", socket(), "--timeout", "500ms", "query-status");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: timeout: cannot connect to unix:" + socket());
        assertThat(took).isLessThan(SLOW);
        assertThat(CliRun.inProcess("qmp", "--socket", socket(), "query-status").exitCode())
                .as("QEMU serves the next client").isZero();
    }

    @Test
    void commandWithoutReplyExits5() throws Exception {
        CliRun run;
        try (SilentQmpServer silent = SilentQmpServer.start(dir.resolve("silent.sock"))) {
            run = CliRun.inProcess("qmp", "--socket", dir.resolve("silent.sock").toString(), "--timeout", "500ms",
                    "query-status");
            assertThat(silent.unansweredCommands()).containsExactly("query-status");
        }

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: timeout: query-status: no reply within 500 ms\n");
    }

    @Test
    void tcpSocket() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (QemuProcess tcpQemu = QemuProcess.startMachineNone("-qmp", "tcp:127.0.0.1:" + port + ",server=on,wait=off")) {
            try (QmpClient client = QmpClient.connect(tcpQemu.qmpSocket())) {
                client.queryStatus(); // QEMU answers only once every monitor, the TCP one too, is set up
            }

            CliRun run = CliRun.inProcess("qmp", "--socket", "tcp:127.0.0.1:" + port, "query-status");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.json().path("status").asText()).isEqualTo("running");
        }
    }
}
