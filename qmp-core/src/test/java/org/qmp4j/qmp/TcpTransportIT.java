package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.FdPassingException;
import org.qmp4j.testkit.QemuProcess;

/** QMP over {@code -qmp tcp:127.0.0.1:PORT}: the same protocol, but no file descriptor passing. */
class TcpTransportIT {
    @TempDir
    Path tmp;

    @Test
    void runsCommandsOverTcp() {
        try (QemuProcess qemu = QemuProcess.startWithTcpQmp(List.of("-machine", "none", "-S"));
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.tcp(qemu.tcpQmp().getHostString(), qemu.tcpQmp().getPort())).build())) {
            assertThat(client.options().endpoint()).isInstanceOf(Endpoint.Tcp.class);
            assertThat(client.greeting().offers("oob")).isTrue();
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(false, "prelaunch"));
            client.execute("cont");
            assertThat(client.queryStatus()).isEqualTo(new StatusInfo(true, "running"));
        }
    }

    @Test
    void passingFileDescriptorsOverTcpFailsClearly() throws Exception {
        try (QemuProcess qemu = QemuProcess.startWithTcpQmp(List.of("-machine", "none"));
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.tcp(qemu.tcpQmp().getHostString(), qemu.tcpQmp().getPort())).build());
             RandomAccessFile file = new RandomAccessFile(tmp.resolve("fd.bin").toFile(), "rw")) {
            assertThatThrownBy(() -> client.getfd("over-tcp", file.getFD()))
                    .isExactlyInstanceOf(FdPassingException.class)
                    .hasMessageContaining("getfd")
                    .hasMessageContaining("only be passed over a UNIX socket");
            assertThatThrownBy(() -> client.addFd(file.getFD(), null, "over-tcp"))
                    .isExactlyInstanceOf(FdPassingException.class)
                    .hasMessageContaining("only be passed over a UNIX socket");

            // Nothing reached QEMU, and the connection is as good as before.
            assertThat(client.execute("query-fdsets")).isEmpty();
            assertThat(client.queryStatus().running()).isTrue();
        }
    }
}
