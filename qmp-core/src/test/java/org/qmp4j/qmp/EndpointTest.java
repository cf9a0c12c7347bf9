package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmp4j.core.Endpoint;

/** The CLI form of an endpoint: {@code tcp:HOST:PORT}, {@code unix:PATH} or a plain path. */
class EndpointTest {

    @ParameterizedTest
    @CsvSource({
            "/run/qemu/vm1.qmp, /run/qemu/vm1.qmp",
            "unix:/run/qemu/vm1.qmp, /run/qemu/vm1.qmp",
            "relative/qmp.sock, relative/qmp.sock",
            "unix:relative.sock, relative.sock"})
    void unixForms(String spec, String path) {
        Endpoint endpoint = Endpoint.parse(spec);

        assertThat(endpoint).isEqualTo(Endpoint.unix(Path.of(path)));
        assertThat(Endpoint.parse(endpoint.toString())).isEqualTo(endpoint);
    }

    @ParameterizedTest
    @CsvSource({
            "tcp:localhost:4444, localhost, 4444",
            "tcp:192.0.2.7:1, 192.0.2.7, 1",
            "tcp:[::1]:65535, ::1, 65535",
            "tcp:host.example:5555, host.example, 5555"})
    void tcpForms(String spec, String host, int port) {
        Endpoint endpoint = Endpoint.parse(spec);

        assertThat(endpoint).isEqualTo(Endpoint.tcp(host, port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:localhost", "tcp:localhost:", "tcp::4444", "tcp:host:port", "tcp:host:0",
            "tcp:host:65536", "tcp:host:-1"})
    void badTcpFormsAreRejected(String spec) {
        assertThatThrownBy(() -> Endpoint.parse(spec)).isInstanceOf(IllegalArgumentException.class);
    }
}
