package org.qmp4j.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.TestGuest;
import org.qmp4j.testkit.TestGuestExtension;

/**
 * The agent client against qemu-ga in a real guest with two ext4 data disks. One guest serves
 * the class; every test leaves it thawed and running.
 */
class GuestAgentIT {
    @RegisterExtension
    static final TestGuestExtension VM = TestGuestExtension.with(TestGuest.builder().disks(2));

    private QmpClient qmp;
    private GuestAgentClient ga;

    @BeforeEach
    void connect() {
        qmp = QmpClient.connect(VM.guest().qmpSocket());
        ga = GuestAgentClient.connect(options().build());
    }

    @AfterEach
    void disconnect() {
        try {
            if (ga != null) {
                ga.close();
            }
        } finally {
            qmp.close();
        }
    }

    private GuestAgentOptions.Builder options() {
        return GuestAgentOptions.builder(Endpoint.unix(VM.guest().agentSocket())).qmp(qmp);
    }

    private ExecResult sh(String script) {
        ExecResult r = ga.exec(ExecRequest.of("/bin/sh", "-c", script));
        assertThat(r.exitCode()).as("exit code of %s; stderr: %s", script, r.stderrText()).isZero();
        return r;
    }

    @Test
    void pingInfoPresenceAndFsInfo() {
        ga.ping();
        assertThat(ga.isPresent()).isTrue();
        AgentInfo info = ga.info();
        assertThat(info.supports("guest-fsfreeze-freeze")).isTrue();
        assertThat(info.supports("guest-exec")).isTrue();
        assertThat(ga.fsInfo()).extracting(FsInfo::mountpoint).contains("/mnt/vda", "/mnt/vdb");
        assertThat(ga.fsInfo()).filteredOn(f -> f.mountpoint().startsWith("/mnt/"))
                .allSatisfy(f -> assertThat(f.type()).isEqualTo("ext4"));
    }

    @Test
    void execReturnsOutputExitCodeAndTakesInput() {
        ExecResult r = ga.exec(ExecRequest.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdoutText()).isEqualTo("out\n");
        assertThat(r.stderrText()).isEqualTo("err\n");
        assertThat(r.succeeded()).isFalse();

        ExecResult cat = ga.exec(ExecRequest.builder("/bin/cat").input("from the host\n".getBytes(StandardCharsets.UTF_8))
                .build());
        assertThat(cat.stdoutText()).isEqualTo("from the host\n");
        assertThat(cat.succeeded()).isTrue();
    }

    @Test
    void execThatOutlivesItsTimeoutFailsWithATimeout() {
        assertThatThrownBy(() -> ga.exec(ExecRequest.builder("/bin/sleep").args("5")
                .timeout(Duration.ofMillis(800)).build()))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("may still run")
                .isInstanceOfSatisfying(ExecTimeoutException.class, e -> {
                    assertThat(e.path()).isEqualTo("/bin/sleep");
                    assertThat(e.pid()).isPositive();
                });
        ga.ping();
    }

    /**
     * Freezes both data disks while a writer in the guest appends a tick (the guest's uptime)
     * every 50 ms: the ticks stop for as long as the guest is frozen and resume after the thaw.
     */
    @Test
    void freezeBlocksWritesUntilThaw() throws Exception {
        sh("rm -f /mnt/vda/ticks; (while :; do read up idle < /proc/uptime; echo $up >> /mnt/vda/ticks; "
                + "sleep 0.05; done) >/dev/null 2>&1 </dev/null & echo $! > /run/ticker.pid");
        try {
            Thread.sleep(1000);
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            FreezeHandle handle = ga.freeze(FreezeOptions.defaults());
            try (handle) {
                assertThat(handle.frozenFilesystems()).isEqualTo(2);
                assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.FROZEN);
                // The frozen agent refuses most commands: a passing state, not "unsupported".
                assertThatThrownBy(() -> ga.exec(ExecRequest.of("/bin/true")))
                        .isInstanceOf(CommandException.class)
                        .isInstanceOf(GuestFrozenException.class)
                        .isNotInstanceOf(AgentCommandNotSupportedException.class);
                Thread.sleep(2500);
            }
            assertThat(handle.isThawed()).isTrue();
            assertThat(handle.thawedByWatchdog()).isFalse();
            assertThat(handle.frozenFor()).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            Thread.sleep(1000);
            List<Double> ticks = new ArrayList<>();
            for (String line : sh("cat /mnt/vda/ticks").stdoutText().split("\n")) {
                ticks.add(Double.parseDouble(line.trim()));
            }
            double longestGap = 0;
            int afterGap = 0;
            for (int i = 1; i < ticks.size(); i++) {
                double gap = ticks.get(i) - ticks.get(i - 1);
                if (gap > longestGap) {
                    longestGap = gap;
                    afterGap = ticks.size() - i;
                }
            }
            assertThat(longestGap).as("longest pause between writes, s").isGreaterThan(2.0);
            assertThat(afterGap).as("writes after the thaw").isGreaterThan(3);
        } finally {
            sh("kill $(cat /run/ticker.pid)");
        }
    }

    @Test
    void freezeListFreezesOnlyTheNamedMountpoint() {
        try (FreezeHandle handle = ga.freeze(FreezeOptions.builder().mountpoints(List.of("/mnt/vdb")).build())) {
            assertThat(handle.frozenFilesystems()).isEqualTo(1);
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.FROZEN);
        }
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
    }

    @Test
    void theWatchdogThawsAGuestWhoseCallerNeverDoes() throws Exception {
        FreezeHandle forgotten = ga.freeze(FreezeOptions.builder().maxDuration(Duration.ofSeconds(2)).build());
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.FROZEN);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!forgotten.isThawed() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(forgotten.isThawed()).isTrue();
        assertThat(forgotten.thawedByWatchdog()).isTrue();
        assertThat(forgotten.frozenFor()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        forgotten.close(); // already thawed: returns at once
    }

    @Test
    void freezingAFrozenGuestIsRefused() {
        try (FreezeHandle first = ga.freeze(FreezeOptions.defaults())) {
            assertThat(first.frozenFilesystems()).isEqualTo(2);
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.defaults()))
                    .isInstanceOf(FreezeException.class).hasMessageContaining("already holds a freeze");
        }
        // Frozen by someone else (here: a raw command, as another tool would).
        ga.execute("guest-fsfreeze-freeze", null);
        try {
            assertThatThrownBy(() -> ga.freeze(FreezeOptions.defaults()))
                    .isInstanceOf(FreezeException.class).hasMessageContaining("already frozen");
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.FROZEN); // left as it was
        } finally {
            ga.fsfreezeThaw();
        }
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
    }

    @Test
    void aTimedOutCommandIsFollowedByAResyncSoItsLateReplyIsDropped() {
        qmp.execute("stop");
        try {
            assertThatThrownBy(() -> ga.execute("guest-info", null))
                    .isInstanceOf(CommandTimeoutException.class);
        } finally {
            qmp.execute("cont");
        }
        // The late guest-info reply arrives now; the next command must not take it for its own.
        assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
        ga.ping();
        assertThat(ga.info().version()).isNotBlank();
    }

    @Test
    void aClientThatVanishedMidCommandLeavesNothingForTheNext() throws Exception {
        ga.close();
        ga = null;
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(VM.guest().agentSocket()));
            OutputStream out = Channels.newOutputStream(raw);
            for (int i = 0; i < 10; i++) {
                out.write(("{\"execute\":\"guest-info\",\"id\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("{\"execute\":\"guest-get-fsinfo\"".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } // gone without reading a reply
        ga = GuestAgentClient.connect(options().build());
        for (int i = 0; i < 3; i++) {
            assertThat(ga.fsfreezeStatus()).isEqualTo(FreezeStatus.THAWED);
            assertThat(ga.fsInfo()).isNotEmpty();
        }
    }

    @Test
    void untypedExecuteReturnsTheRawValue() {
        assertThat(ga.execute("guest-get-host-name", null).path("host-name").asText()).isNotBlank();
    }
}
