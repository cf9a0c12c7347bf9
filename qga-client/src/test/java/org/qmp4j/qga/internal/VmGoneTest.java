package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.Endpoint;

/** When a failed rescue thaw means the VM has ended, not that a guest may still be frozen. */
class VmGoneTest {
    @TempDir
    Path dir;

    @Test
    void aSocketFileThatIsGoneMeansTheVmEnded() {
        assertThat(VmGone.check(Endpoint.unix(dir.resolve("qga.sock")))).get().asString().contains("is gone");
    }

    @Test
    void aSocketNobodyListensOnMeansTheVmEnded() throws Exception {
        Path socket = dir.resolve("qga.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        } // closed, the file stays: what a killed QEMU leaves
        assertThat(socket).exists();

        assertThat(VmGone.check(Endpoint.unix(socket))).get().asString().contains("nobody listens");
    }

    @Test
    void aSocketSomeoneListensOnMayStillHaveAFrozenGuest() throws Exception {
        Path socket = dir.resolve("qga.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertThat(VmGone.check(Endpoint.unix(socket))).isEmpty();
        }
    }

    @Test
    void overTcpNothingIsConcluded() {
        assertThat(VmGone.check(Endpoint.tcp("127.0.0.1", 1))).isEmpty();
    }
}
