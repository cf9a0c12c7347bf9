package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.testing.MainLoopBlocker;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;

/** Greeting, capability negotiation and out-of-band execution against a real QEMU. */
class HandshakeIT {
    private static final Pattern VERSION_LINE =
            Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)(?: \\((.*)\\))?");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void greetingCarriesTheInstalledVersionAndOffersOob() {
        QemuVersion installed = installedVersion();
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            assertThat(client.state()).isEqualTo(ConnectionState.READY);
            assertThat(client.greeting().version()).isEqualTo(installed);
            assertThat(client.greeting().capabilities()).contains("oob");
            assertThat(client.greeting().offers("oob")).isTrue();
            // OOB was not asked for, so it must not have been enabled.
            assertThat(client.negotiatedCapabilities()).isEmpty();

            JsonNode version = client.execute("query-version");
            assertThat(version.path("qemu").path("major").asInt()).isEqualTo(installed.major());
            assertThat(version.path("qemu").path("minor").asInt()).isEqualTo(installed.minor());
            assertThat(version.path("qemu").path("micro").asInt()).isEqualTo(installed.micro());
            assertThat(version.path("package").asText()).isEqualTo(installed.pkg());
        }
    }

    @Test
    void queryStatusIsDecodedIntoStatusInfo() {
        try (QemuProcess qemu = QemuProcess.startMachineNone("-S");
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(false, "prelaunch"));
            client.execute("cont");
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
        }
    }

    @Test
    void outOfBandCommandOvertakesABlockedMainLoop() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                     .enableOob(true).build())) {
            assertThat(client.negotiatedCapabilities()).containsExactly("oob");
            String oobCommand = oobCapableQuery(client.schema());

            try (MainLoopBlocker blocker = MainLoopBlocker.block(client, qemu.dir(), WAIT)) {
                CompletableFuture<StatusInfo> inBand = client.executeAsync("query-status", null, StatusInfo.class);

                JsonNode yank = client.execute(oobCommand, null, CommandOptions.defaults().withOob(true));

                // Answered by the monitor's I/O thread while the main loop still sits in pmemsave.
                assertThat(yank.findValuesAsText("type")).contains("chardev");
                assertThat(blocker.command()).isNotDone();
                assertThat(inBand).isNotDone();

                assertThat(blocker.release(WAIT)).hasSize(MainLoopBlocker.SIZE);
                assertThat(inBand.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new StatusInfo(true, "running"));
            }
        }
    }

    @Test
    void qemuRefusesOutOfBandForACommandThatDoesNotAllowIt() {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                     .enableOob(true).build())) {
            assertThat(client.schema().allowsOob("query-status")).isFalse();

            assertThatThrownBy(() -> client.execute("query-status", null, CommandOptions.defaults().withOob(true)))
                    .isInstanceOfSatisfying(CommandException.class, e -> {
                        assertThat(e.errorClass()).isEqualTo("GenericError");
                        assertThat(e.description()).contains("query-status").contains("does not support OOB");
                    });
            assertThat(client.queryStatus().running()).isTrue();
        }
    }

    @Test
    void outOfBandWithoutNegotiationIsRefusedByTheClient() {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = QmpClient.connect(qemu.qmpSocket())) {
            assertThatThrownBy(() -> client.execute("query-yank", null, CommandOptions.defaults().withOob(true)))
                    .isExactlyInstanceOf(CapabilityNotNegotiatedException.class)
                    .hasMessageContaining("out-of-band execution was not negotiated");
            assertThat(client.queryStatus().running()).isTrue();
        }
    }

    /** A harmless query that the schema allows out-of-band; {@code x-oob-test} is not built into 7.2. */
    private static String oobCapableQuery(QmpSchema schema) {
        assertThat(schema.commands()).as("commands that allow OOB").filteredOn(schema::allowsOob)
                .contains("query-yank");
        return "query-yank";
    }

    /** Parses the first line of {@code qemu-system-x86_64 --version}. */
    private static QemuVersion installedVersion() {
        String firstLine = HostCommand.run("qemu-system-x86_64", "--version").lines().findFirst().orElse("");
        Matcher m = VERSION_LINE.matcher(firstLine.trim());
        assertThat(m.matches()).as("version line %s", firstLine).isTrue();
        return new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4) == null ? "" : m.group(4));
    }
}
