package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.GuardianProcesses;
import org.qmp4j.testkit.HostAgent;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/**
 * {@code qmp4j ga} against a real {@code qemu-ga} on the host and against fake agents that do not
 * answer. SAFETY: the host agent blocks every command that could freeze or stop this machine
 * ({@link HostAgent#BLOCKED}), and these tests only send read-only commands to it.
 */
class CliGaIT {
    /** Generous: the runs below have a 500 ms deadline. */
    private static final Duration SLOW = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void printsTheReturnValueAsOnePrettyJsonDocument() {
        String version = HostCommand.run("qemu-ga", "-V").trim();
        try (HostAgent agent = HostAgent.start()) {
            CliRun run = CliRun.inProcess("ga", "--socket", agent.socket().toString(), "guest-info");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.out()).startsWith("{\n  \"").endsWith("}\n");
            JsonNode info = run.json();
            assertThat(version).contains(info.path("version").asText());
            assertThat(info.path("supported_commands").findValuesAsText("name")).contains("guest-ping", "guest-info");
        }
    }

    @Test
    void sendsTheJsonArguments() {
        long id = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
        try (HostAgent agent = HostAgent.start()) {
            CliRun run = CliRun.inProcess("ga", "--socket", agent.socket().toString(), "--timeout", "5s",
                    "guest-sync", "{\"id\":" + id + "}");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.json().asLong()).isEqualTo(id);
        }
    }

    @Test
    void errorReplyExits3WithClassAndDescription() {
        try (HostAgent agent = HostAgent.start()) {
            CliRun run = CliRun.inProcess("ga", "--socket", agent.socket().toString(), "guest-no-such-command");

            assertThat(run.exitCode()).isEqualTo(3);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: CommandNotFound: ").contains("guest-no-such-command");
        }
    }

    /** A socket that accepts and never answers: what an agent socket looks like when no agent runs. */
    @Test
    void noAgentExits6WithinTheDeadline() {
        try (FakeQmpPeer silent = FakeQmpPeer.builder().noGreeting().lineEnding("\n")
                .handler(request -> List.of()).start()) {
            long start = System.nanoTime();
            CliRun run = CliRun.inProcess("ga", "--socket", silent.socket().toString(), "--timeout", "500ms",
                    "guest-info");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(6);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: no guest agent answered on unix:" + silent.socket())
                    .contains("500 ms");
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(SLOW);
            assertThat(silent.nextRequest(SLOW).path("execute").asText()).as("it tried to sync")
                    .isEqualTo("guest-sync-delimited");
        }
    }

    /** An agent that synchronises but then does not answer the command: a timeout (5), not absence (6). */
    @Test
    void commandWithoutReplyExits5() {
        try (FakeQmpPeer agent = FakeQmpPeer.builder().noGreeting().lineEnding("\n").handler(request ->
                "guest-sync-delimited".equals(QmpMessages.command(request))
                        ? List.of(PeerAction.bytes(new byte[] {(byte) 0xFF}),
                                PeerAction.reply(request, request.path("arguments").path("id")))
                        : List.of()).start()) {
            CliRun run = CliRun.inProcess("ga", "--socket", agent.socket().toString(), "--timeout", "500ms",
                    "guest-info");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("error: timeout: guest-info: no reply within 500 ms\n");
        }
    }

    /**
     * A raw agent command is never a guarded freeze: the CLI starts no thaw guardian for it (which
     * would cost a JVM). The agent answers after 2 s, so a guardian would have shown by then.
     */
    @Test
    void startsNoThawGuardian() {
        try (FakeQmpPeer agent = FakeQmpPeer.builder().noGreeting().lineEnding("\n").handler(request ->
                "guest-sync-delimited".equals(QmpMessages.command(request))
                        ? PeerAction.agentSync(request)
                        : List.of(PeerAction.pause(Duration.ofSeconds(2)), PeerAction.reply(request, Map.of()))).start();
             CliRun.Running cli = CliRun.start(CliRun.script(), dir, "ga", "--socket", agent.socket().toString(),
                     "--timeout", "10s", "guest-info")) {
            assertThat(agent.nextRequest(SLOW)).as("connected").isNotNull();
            assertThat(GuardianProcesses.of(cli.process().pid(), Duration.ofMillis(1500))).isEmpty();

            CliRun run = cli.await();
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.json().isObject()).isTrue();
        }
    }

    @Test
    void missingSocketExits4() {
        Path absent = dir.resolve("absent.sock");

        CliRun run = CliRun.inProcess("ga", "--socket", absent.toString(), "guest-info");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).startsWith("error: cannot connect to unix:" + absent);
    }
}
