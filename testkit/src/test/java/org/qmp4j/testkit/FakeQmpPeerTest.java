package org.qmp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fake peer itself, driven by a plain JDK socket client, in both of its roles: QMP (greeting,
 * {@code \r\n}) and guest agent (no greeting, {@code \n}, {@code 0xFF} both ways).
 * The raw client blocks without timeouts of its own, hence the class-wide limit.
 */
@Timeout(30)
class FakeQmpPeerTest {
    private static final byte RESYNC = (byte) 0xFF;

    @Test
    void qmpModeGreetsAndAnswersNegotiationWithTheSameId() throws IOException {
        try (FakeQmpPeer peer = FakeQmpPeer.start(); RawClient client = new RawClient(peer.socket())) {
            assertThat(client.readUntil("\r\n")).isEqualTo(QmpMessages.QEMU_7_2_GREETING + "\r\n");

            client.write("{\"execute\": \"qmp_capabilities\", \"id\": \"abc\"}\n");

            assertThat(QmpMessages.parse(client.readUntil("\r\n"))).isEqualTo(QmpMessages.parse(
                    "{\"return\": {}, \"id\": \"abc\"}"));
            assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("qmp_capabilities");
        }
    }

    @Test
    void agentModeHasNoGreetingAndHandlesResyncBytesBothWays() throws IOException {
        FakeQmpPeer.Builder agent = FakeQmpPeer.builder().noGreeting().lineEnding("\n")
                .onResyncByte(() -> List.of(PeerAction.line(QmpMessages.idLessError("GenericError", "stray"))));
        try (FakeQmpPeer peer = agent.start(); RawClient client = new RawClient(peer.socket())) {
            peer.on("guest-sync-delimited", req -> List.of(PeerAction.bytes(new byte[] {RESYNC}),
                    PeerAction.reply(req, req.path("arguments").path("id"))));

            // A half-written line, then the resync byte: the half line is dropped, not parsed.
            client.write("{\"execute\": \"guest-ping\", \"argu");
            client.write(new byte[] {RESYNC});
            client.write("{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": 1234}}\n");

            assertThat(client.readUntil("\n")).isEqualTo(QmpMessages.idLessError("GenericError", "stray") + "\n");
            assertThat(client.readBytes(1)).containsExactly(RESYNC);
            assertThat(QmpMessages.parse(client.readUntil("\n")).path("return").asInt()).isEqualTo(1234);
            assertThat(peer.resyncBytesReceived()).isEqualTo(1);
            assertThat(QmpMessages.command(peer.nextRequest())).isEqualTo("guest-sync-delimited");
        }
    }

    @Test
    void invalidJsonFromTheClientIsRecordedAsText() throws IOException {
        try (FakeQmpPeer peer = FakeQmpPeer.builder().noGreeting().start();
             RawClient client = new RawClient(peer.socket())) {
            client.write("this is not json\r\n");

            JsonNode request = peer.nextRequest();

            assertThat(request.isTextual()).isTrue();
            assertThat(request.asText()).isEqualTo("this is not json");
        }
    }

    @Test
    void closeClientHangsUpAndTheNextClientIsServed() throws IOException {
        try (FakeQmpPeer peer = FakeQmpPeer.start()) {
            try (RawClient first = new RawClient(peer.socket())) {
                first.readUntil("\r\n");
                peer.closeClient();
                assertThat(first.readToEnd()).isEmpty();
            }
            try (RawClient second = new RawClient(peer.socket())) {
                assertThat(second.readUntil("\r\n")).startsWith("{\"QMP\"");
                assertThat(peer.connections()).isEqualTo(2);
            }
        }
    }

    @Test
    void closeRemovesTheSocketAndEndsTheThread() {
        FakeQmpPeer peer = FakeQmpPeer.start();
        Path dir = peer.socket().getParent();
        assertThat(peer.socket()).exists();

        peer.close();

        assertThat(Files.exists(dir)).isFalse();
        assertThat(Await.until(() -> Await.threadsNamed("fake-qmp-peer").isEmpty(), Await.LIMIT)).isTrue();
    }

    @Test
    void aFailingHandlerIsReportedByClose() throws IOException {
        FakeQmpPeer peer = FakeQmpPeer.builder().noGreeting().start();
        peer.onRequest(req -> {
            throw new IllegalStateException("broken script");
        });
        try (RawClient client = new RawClient(peer.socket())) {
            client.write("{\"execute\": \"x\"}\n");
            peer.nextRequest();
            assertThat(peer.awaitDisconnected(Await.LIMIT)).isTrue();
        }

        assertThatThrownBy(peer::close).isInstanceOf(AssertionError.class).hasRootCauseMessage("broken script");
    }

    @Test
    void replyHelpersCopyTheRequestId() {
        JsonNode request = QmpMessages.parse("{\"execute\": \"x\", \"id\": 42}");

        assertThat(QmpMessages.parse(QmpMessages.reply(request, Map.of("a", 1))))
                .isEqualTo(QmpMessages.parse("{\"return\": {\"a\": 1}, \"id\": 42}"));
        assertThat(QmpMessages.parse(QmpMessages.error(request, "GenericError", "no")))
                .isEqualTo(QmpMessages.parse("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, \"id\": 42}"));
        assertThat(QmpMessages.parse(QmpMessages.event("STOP", null)).has("timestamp")).isTrue();
    }

    /** A blocking JDK UNIX-socket client. */
    private static final class RawClient implements AutoCloseable {
        private final SocketChannel channel;

        RawClient(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        }

        void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.UTF_8));
        }

        void write(byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        /** Reads up to and including {@code end}. */
        String readUntil(String end) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!out.toString(StandardCharsets.UTF_8).endsWith(end)) {
                out.writeBytes(readBytes(1));
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        byte[] readBytes(int count) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(count);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new UncheckedIOException(new IOException("EOF"));
                }
            }
            return buffer.array();
        }

        /** Everything until EOF. */
        String readToEnd() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
