package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.GuardianProcesses;
import org.qmp4j.testkit.PeerAction;

/**
 * A freeze outlives the connection and the process that made it: a thaw opens a new connection
 * when the old one is lost, and the guardian process thaws when the controller is killed (SIGKILL),
 * ignores the terminal's signals, stays quiet after a confirmed thaw, and gives up at once when
 * nobody listens on the agent socket any more.
 */
class ThawGuardianTest {
    final AtomicReference<String> state = new AtomicReference<>("thawed");
    private final AtomicInteger thaws = new AtomicInteger();
    private final AtomicLong firstThawNanos = new AtomicLong();
    private FakeQmpPeer peer;
    Process child;
    long guardianPid = -1;

    @BeforeEach
    void fakeAgent() {
        peer = FakeQmpPeer.builder().noGreeting().lineEnding("\n").start();
        peer.on("guest-sync-delimited", PeerAction::agentSync);
        peer.on("guest-fsfreeze-status", req -> List.of(PeerAction.reply(req, state.get())));
        peer.on("guest-fsfreeze-freeze", req -> {
            state.set("frozen");
            return List.of(PeerAction.reply(req, 1));
        });
        peer.on("guest-fsfreeze-thaw", req -> {
            firstThawNanos.compareAndSet(0, System.nanoTime());
            state.set("thawed");
            thaws.incrementAndGet();
            return List.of(PeerAction.reply(req, 1));
        });
    }

    @AfterEach
    void cleanUp() {
        if (child != null) {
            child.destroyForcibly();
        }
        if (guardianPid > 0) {
            ProcessHandle.of(guardianPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        peer.close();
    }

    @Test
    void aThawGetsThroughOnANewConnectionWhenTheOldOneIsLost() {
        GuestAgentClient ga = GuestAgentClient.connect(GuestAgentOptions.builder(Endpoint.unix(peer.socket()))
                .thawGuardian(false).build());
        try {
            FreezeHandle frozen = ga.freeze(FreezeOptions.defaults());
            peer.closeClient();
            assertThat(Await.until(() -> ga.state() == ConnectionState.CLOSED, Await.LIMIT)).isTrue();

            frozen.close();

            assertThat(state.get()).isEqualTo("thawed");
            assertThat(thaws.get()).isEqualTo(1);
            assertThat(peer.connections()).isEqualTo(2);
            assertThat(frozen.isThawed()).isTrue();
        } finally {
            ga.close();
        }
    }

    @Test
    void theGuardianThawsWhenTheControllerIsKilled() throws Exception {
        startFrozenChild();
        long killed = System.nanoTime();
        child.destroyForcibly(); // SIGKILL: nothing of the controller runs any more

        assertThat(Await.until(() -> thaws.get() > 0 && state.get().equals("thawed"), Duration.ofSeconds(20)))
                .as("thawed by the guardian").isTrue();
        long ms = TimeUnit.NANOSECONDS.toMillis(firstThawNanos.get() - killed);
        System.out.println("thaw guardian: controller SIGKILLed -> thaw sent after " + ms + " ms");
        assertThat(guardianExits(Duration.ofSeconds(10))).as("the guardian leaves once it confirmed").isTrue();
        assertThat(peer.connections()).isEqualTo(2);
    }

    @Test
    void aConfirmedThawDisarmsTheGuardian() throws Exception {
        BufferedReader out = startFrozenChild();
        tell("THAW");
        assertThat(out.readLine()).isEqualTo("THAWED");
        assertThat(thaws.get()).isEqualTo(1);

        tell("EXIT");
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(guardianExits(Duration.ofSeconds(10))).isTrue();
        assertThat(thaws.get()).as("no thaw after a confirmed one").isEqualTo(1);
        assertThat(peer.connections()).isEqualTo(1);
    }

    @Test
    void theGuardianIgnoresTheTerminalsSignals() throws Exception {
        startFrozenChild();
        for (String signal : List.of("-INT", "-HUP")) {
            assertThat(new ProcessBuilder("kill", signal, Long.toString(guardianPid)).start().waitFor()).isZero();
        }
        assertThat(guardianExits(Duration.ofMillis(500))).as("still running after SIGINT and SIGHUP").isFalse();

        child.destroyForcibly();
        assertThat(Await.until(() -> state.get().equals("thawed"), Duration.ofSeconds(20))).isTrue();
    }

    @Test
    void theGuardianGivesUpAtOnceWhenNobodyListensOnTheAgentSocket() throws Exception {
        startFrozenChild();
        peer.close(); // the VM is gone: its socket with it
        child.destroyForcibly();
        assertThat(guardianExits(Duration.ofSeconds(10))).as("long before its 2 min budget").isTrue();
    }

    /** The controller JVM's own options: none here, the eager guardian of a library user. */
    List<String> controllerOptions() {
        return List.of();
    }

    BufferedReader startFrozenChild() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(controllerOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GuardedFreezeChild.class.getName(),
                peer.socket().toString()));
        child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).startsWith("FROZEN ");
        guardianPid = Long.parseLong(line.substring(7));
        assertThat(guardianPid).isPositive();
        assertThat(state.get()).isEqualTo("frozen");
        return out;
    }

    private void tell(String line) throws IOException {
        OutputStream in = child.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private boolean guardianExits(Duration within) {
        return Await.until(() -> !GuardianProcesses.running(guardianPid), within);
    }

}
