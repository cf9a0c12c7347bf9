package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.QemuProcess;

/**
 * The shipped tool end to end: {@code examples/bin/qmp4j} runs the shaded jar in a JVM of its own,
 * so {@code System.exit}, the jar's manifest and its logging set-up are part of the test.
 */
class CliProcessIT {
    @TempDir
    Path dir;

    private QemuProcess qemu;

    @BeforeAll
    static void jarWasBuilt() {
        String jar = System.getProperty("qmp4j.jar");
        assertThat(jar).as("system property qmp4j.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).as("the shaded jar, built in the package phase").isRegularFile();
        assertThat(CliRun.script().resolveSibling("../target/qmp4j.jar").normalize())
                .as("the jar the script runs").isEqualTo(Path.of(jar).normalize());
    }

    @BeforeEach
    void startQemu() {
        qemu = QemuProcess.startMachineNoneWithSecondMonitor();
    }

    @AfterEach
    void stopQemu() {
        qemu.close();
    }

    private CliRun run(String... args) {
        return CliRun.viaScript(CliRun.script(), dir, args);
    }

    /** mvn package built the class-data-sharing archive, and the script's JVM maps the CLI's classes from it. */
    @Test
    void theScriptStartsFromTheClassDataSharingArchive() throws Exception {
        assertThat(CliRun.script().resolveSibling("../target/qmp4j.jsa").normalize()).isRegularFile();
        Path log = dir.resolve("class-load.log");
        ProcessBuilder builder = new ProcessBuilder(CliRun.script().toString(), "qmp", "--socket",
                qemu.qmpSocket().toString(), "query-status").redirectOutput(log.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("QMP4J_JAVA_OPTS", "-Xlog:class+load=info " + CliRun.schemaCacheOption());
        Process process = builder.start();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        String loads = java.nio.file.Files.readString(log);
        assertThat(loads).contains("org.qmp4j.examples.cli.Qmp4jCli source: shared objects file")
                .contains("org.qmp4j.qmp.internal.DefaultQmpClient source: shared objects file")
                .contains("io.netty.channel.nio.NioIoHandler source: shared objects file");
    }

    @Test
    void queryStatusPrintsJsonAndNothingElse() {
        CliRun run = run("qmp", "--socket", qemu.qmpSocket().toString(), "query-status");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().path("status").asText()).isEqualTo("running");
        assertThat(run.err()).as("no log lines on stderr").isEmpty();
    }

    @Test
    void errorReplyExits3() {
        CliRun run = run("qmp", "--socket", qemu.qmpSocket().toString(), "no-such-command");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: CommandNotFound: The command no-such-command has not been found\n");
    }

    @Test
    void stoppedQemuExits5() throws Exception {
        CliRun run;
        try (ProcessPause paused = ProcessPause.pause(qemu.process())) {
            run = run("qmp", "--socket", qemu.qmpSocket().toString(), "--timeout", "500ms", "query-status");
        }

        assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
        assertThat(run.err()).startsWith("error: timeout: ");
    }

    @Test
    void eventsStreamsLines() throws Exception {
        try (SecondMonitor monitor = SecondMonitor.connect(qemu);
             CliRun.Running events = CliRun.start(CliRun.script(), dir, "events", "--socket",
                     qemu.qmpSocket().toString(), "--name", "STOP", "--count", "2", "--timeout", "60s")) {
            monitor.stopAndContinueUntil(() -> !events.process().isAlive(), Duration.ofSeconds(60));
            CliRun run = events.await();

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.jsonLines()).hasSize(2)
                    .allSatisfy(e -> assertThat(e.path("event").asText()).isEqualTo("STOP"));
        }
    }

    @Test
    void usageErrorsAndHelp() {
        CliRun unknown = run("bogus");
        CliRun help = run("--help");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("error: unknown command 'bogus'");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: qmp4j COMMAND").contains("Exit codes:");
    }
}
