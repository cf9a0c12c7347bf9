package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.HostAgent;

/**
 * Protocol tests against a real {@code qemu-ga} on the host, which has every fsfreeze, shutdown
 * and suspend command blocked (see {@link HostAgent}).
 */
class HostAgentProtocolIT {
    private HostAgent agent;

    @BeforeEach
    void start() {
        agent = HostAgent.start();
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private GuestAgentOptions.Builder options() {
        return GuestAgentOptions.builder(Endpoint.unix(agent.socket()));
    }

    @Test
    void connectsSyncsAndAnswersPingAndInfo() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            ga.ping();
            AgentInfo info = ga.info();
            assertThat(info.version()).matches("\\d+\\.\\d+.*");
            assertThat(info.supports("guest-ping")).isTrue();
            assertThat(info.supports("guest-get-fsinfo")).isTrue();
            // -b really blocked them: the agent reports them disabled.
            for (String blocked : HostAgent.BLOCKED) {
                assertThat(info.supports(blocked)).as(blocked).isFalse();
            }
            assertThat(ga.isPresent()).isTrue();
        }
    }

    @Test
    void disabledAndUnknownCommandsAreNotSupported() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            assertThatThrownBy(ga::fsfreezeStatus)
                    .isInstanceOf(AgentCommandNotSupportedException.class)
                    .hasMessageContaining("guest-fsfreeze-status")
                    .hasMessageContaining("not supported");
            assertThatThrownBy(() -> ga.execute("guest-no-such-command", null))
                    .isInstanceOfSatisfying(AgentCommandNotSupportedException.class,
                            e -> assertThat(e.errorClass()).isEqualTo("CommandNotFound"));
            // the connection is still in step afterwards
            ga.ping();
        }
    }

    @Test
    void freezeOnTheHostAgentIsRefusedBeforeAnythingIsFrozen() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            // guest-fsfreeze-status is blocked, so freeze() fails at its first step.
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.defaults()))
                    .isInstanceOf(AgentCommandNotSupportedException.class);
        }
    }

    @Test
    void commandErrorsKeepTheirClassAndDescription() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            assertThatThrownBy(() -> ga.execute("guest-exec-status", java.util.Map.of("pid", 999999)))
                    .isInstanceOfSatisfying(CommandException.class, e -> {
                        assertThat(e).isNotInstanceOf(AgentCommandNotSupportedException.class);
                        assertThat(e.errorClass()).isEqualTo("GenericError");
                        assertThat(e.description()).isNotBlank();
                    });
        }
    }

    /** The typed form decodes the reply into a record, like QmpClient's. */
    @Test
    void typedExecuteDecodesTheReply() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            AgentInfo info = ga.execute("guest-info", null, AgentInfo.class);
            assertThat(info.version()).isEqualTo(ga.info().version());
            AgentInfo withDeadline = ga.executeAsync("guest-info", null, AgentInfo.class,
                    CommandOptions.timeout(Duration.ofSeconds(2))).join();
            assertThat(withDeadline.commands()).isNotEmpty();
        }
    }

    @Test
    void fsInfoIsDecoded() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            List<FsInfo> fs = ga.fsInfo();
            assertThat(fs).isNotEmpty();
            assertThat(fs).allSatisfy(f -> {
                assertThat(f.mountpoint()).startsWith("/");
                assertThat(f.type()).isNotBlank();
            });
        }
    }

    /**
     * A client that left half a command in the agent's input must not spoil the next client: the
     * 0xFF resync byte resets the agent's parser. (On the host the earlier client must read its
     * replies before it leaves: qemu-ga in unix-listen mode dies of SIGPIPE when it writes to a
     * closed socket. The guest test covers a client killed with replies outstanding.)
     */
    @Test
    void halfACommandLeftByAnEarlierClientIsDiscarded() throws Exception {
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(agent.socket()));
            OutputStream out = Channels.newOutputStream(raw);
            out.write("{\"execute\":\"guest-ping\",\"id\":1}\n{\"execute\":\"guest-info\"".getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteBuffer reply = ByteBuffer.allocate(256);
            while (reply.position() == 0 || reply.get(reply.position() - 1) != '\n') {
                raw.read(reply);
            }
            assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8)).contains("\"id\": 1");
        }
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(ga.info().supports("guest-ping")).isTrue();
                ga.ping();
            }
        }
    }

    @Test
    void concurrentCallersEachGetTheirOwnReply() {
        try (GuestAgentClient ga = GuestAgentClient.connect(options().build())) {
            List<CompletableFuture<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(ga.infoAsync().thenAccept(info -> assertThat(info.commands()).isNotEmpty()));
                calls.add(ga.pingAsync());
                calls.add(ga.fsInfoAsync().thenAccept(fs -> assertThat(fs).isNotEmpty()));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        }
    }

    @Test
    void noAgentListeningFailsToConnect() {
        agent.close();
        long start = System.nanoTime();
        assertThatThrownBy(() -> GuestAgentClient.connect(options().connectTimeout(Duration.ofSeconds(2)).build()))
                .isInstanceOf(org.qmp4j.core.ConnectionFailedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        agent = HostAgent.start(); // for @AfterEach
    }
}
