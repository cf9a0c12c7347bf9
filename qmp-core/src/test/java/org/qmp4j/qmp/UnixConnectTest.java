package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.QmpMessages;

/**
 * The UNIX socket connect: done at once on the calling thread when the listener has room, so
 * that many connects at once need no thread each; and, when the listener's backlog is full,
 * waited for within the connect deadline on a thread that may block.
 */
class UnixConnectTest {
    @TempDir
    Path dir;

    @Test
    void manyConnectsAtOnceStartNoThreadEach() {
        List<FakeQmpPeer> peers = new ArrayList<>();
        List<QmpClient> clients = new ArrayList<>();
        try (ClientResources resources = ClientResources.create(2)) {
            for (int i = 0; i < 40; i++) {
                peers.add(FakeQmpPeer.start());
            }
            List<CompletableFuture<QmpClient>> connects = new ArrayList<>();
            for (FakeQmpPeer peer : peers) {
                connects.add(QmpClient.connectAsync(QmpOptions.builder(Endpoint.unix(peer.socket()))
                        .resources(resources).build()));
            }
            for (CompletableFuture<QmpClient> connect : connects) {
                clients.add(connect.join());
            }

            long eventThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("qmp4j-events")).count();
            assertThat(eventThreads).as("event threads after 40 connects at once").isLessThanOrEqualTo(2);
        } finally {
            clients.forEach(QmpClient::close);
            peers.forEach(FakeQmpPeer::close);
        }
    }

    /** An asynchronous connect from a thread with its interrupt flag set still connects (the flag is kept). */
    @Test
    void anInterruptedCallerStillConnectsAsynchronously() {
        try (FakeQmpPeer peer = FakeQmpPeer.start()) {
            Thread.currentThread().interrupt();
            CompletableFuture<QmpClient> connect = QmpClient.connectAsync(QmpOptions.builder(Endpoint.unix(peer.socket()))
                    .build());
            assertThat(Thread.interrupted()).as("the caller's flag is left as it was").isTrue();
            QmpClient client = connect.join();
            try {
                assertThat(client.state()).isEqualTo(ConnectionState.READY);
            } finally {
                client.close();
            }
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aFullBacklogIsWaitedForWithinTheDeadline() throws Exception {
        Path socket = dir.resolve("qmp.sock");
        List<AFUNIXSocketChannel> fillers = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            while (fillers.size() < 16) { // fill the backlog: Linux queues backlog + 1
                AFUNIXSocketChannel filler = AFUNIXSocketChannel.open();
                filler.configureBlocking(false);
                if (!filler.connect(AFUNIXSocketAddress.of(socket))) {
                    filler.close();
                    break;
                }
                fillers.add(filler);
            }
            assertThat(fillers).as("the backlog filled up").hasSizeBetween(1, 15);

            CompletableFuture<QmpClient> connect = QmpClient.connectAsync(QmpOptions.builder(Endpoint.unix(socket))
                    .connectTimeout(Duration.ofSeconds(20)).build());
            Thread.sleep(300);
            assertThat(connect).as("waiting for room in the backlog").isNotDone();

            for (int i = 0; i < fillers.size(); i++) {
                server.accept().close(); // room: the waiting connect gets in behind them
            }
            try (SocketChannel peer = server.accept()) {
                serveHandshake(peer);
                QmpClient client = connect.get(10, TimeUnit.SECONDS);
                try {
                    assertThat(client.state()).isEqualTo(ConnectionState.READY);
                } finally {
                    client.close();
                }
            }
        } finally {
            for (AFUNIXSocketChannel filler : fillers) {
                filler.close();
            }
        }
    }

    /** The greeting, then {@code {"return":{}}} to the first request (qmp_capabilities), echoing its id. */
    private static void serveHandshake(SocketChannel peer) throws IOException {
        peer.write(ByteBuffer.wrap((QmpMessages.QEMU_7_2_GREETING + "\r\n").getBytes(StandardCharsets.UTF_8)));
        StringBuilder request = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (request.indexOf("\n") < 0) {
            buffer.clear();
            if (peer.read(buffer) < 0) {
                throw new IOException("the client hung up during the handshake");
            }
            request.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
        String line = request.substring(0, request.indexOf("\n"));
        assertThat(line).contains("qmp_capabilities");
        String reply = QmpMessages.reply(QmpMessages.parse(line), QmpMessages.MAPPER.createObjectNode());
        peer.write(ByteBuffer.wrap((reply + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }
}
