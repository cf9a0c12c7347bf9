package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.transport.IoThreads;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.QmpMessages;

/**
 * A command sent from the I/O thread of another connection (what a snapshot does when the
 * {@code transaction}'s reply arrives on the QMP connection and the thaw goes to the agent) is
 * written by that thread at once, not handed to its own connection's event loop: here that loop
 * is kept busy, and the command still reaches the peer.
 */
class QmpClientForeignIoThreadTest {
    private FakeQmpPeer peerA;
    private FakeQmpPeer peerB;
    private ClientResources resourcesA;
    private ClientResources resourcesB;
    private QmpClient a;
    private QmpClient b;
    private final CountDownLatch releaseB = new CountDownLatch(1);

    @BeforeEach
    void connectTwoClientsOnTwoEventLoops() {
        peerA = FakeQmpPeer.start();
        peerB = FakeQmpPeer.start();
        // one resources object each: two event loop groups, so the two loops are surely distinct
        resourcesA = ClientResources.create(1);
        resourcesB = ClientResources.create(1);
        a = QmpClient.connect(QmpOptions.builder(Endpoint.unix(peerA.socket())).resources(resourcesA).build());
        b = QmpClient.connect(QmpOptions.builder(Endpoint.unix(peerB.socket())).resources(resourcesB).build());
        peerA.nextRequest(); // qmp_capabilities
        peerB.nextRequest();
    }

    @AfterEach
    void closeEverything() {
        releaseB.countDown();
        try {
            a.abort();
            b.abort();
            Await.value(a.closeFuture());
            Await.value(b.closeFuture());
        } finally {
            resourcesA.close();
            resourcesB.close();
            peerA.close();
            peerB.close();
        }
    }

    @Test
    void aCommandSentFromAnotherConnectionsIoThreadDoesNotWaitForItsOwnLoop() throws Exception {
        // B's event loop is held: what runs after B's reply runs on that loop, and waits
        CompletableFuture<JsonNode> bFirst = b.executeAsync("query-status");
        CompletableFuture<Thread> bLoop = new CompletableFuture<>();
        CompletableFuture<Void> bLoopHeld = bFirst.thenRun(() -> {
            bLoop.complete(IoThreads.isIoThread() ? Thread.currentThread() : null);
            await(releaseB);
        });
        peerB.sendLine(QmpMessages.reply(peerB.nextRequest(), Map.of("status", "running")));
        // not a wait on bFirst: a thread waiting on a future may run its dependents itself
        Thread bThread = Await.value(bLoop);
        assertThat(bThread).as("what follows B's reply runs on B's I/O thread").isNotNull();

        // from A's I/O thread, once A's reply is read: send to B
        CompletableFuture<JsonNode> aReply = a.executeAsync("query-status");
        CompletableFuture<Thread> sentFrom = new CompletableFuture<>();
        CompletableFuture<CompletableFuture<JsonNode>> bSecond = aReply.thenApply(r -> {
            sentFrom.complete(IoThreads.isIoThread() ? Thread.currentThread() : null);
            return b.executeAsync("query-version");
        });
        peerA.sendLine(QmpMessages.reply(peerA.nextRequest(), Map.of("status", "running")));

        Optional<JsonNode> arrived = peerB.pollRequest(Duration.ofSeconds(5));
        Thread sender = Await.value(sentFrom);
        assertThat(sender).as("sent from an I/O thread").isNotNull().as("A's, not B's").isNotSameAs(bThread);
        assertThat(bLoopHeld).as("B's loop is still held").isNotDone();
        assertThat(arrived).as("B's peer got the command while B's loop was held").isPresent();
        assertThat(QmpMessages.command(arrived.get())).isEqualTo("query-version");

        // and its reply is routed as usual once B's loop is free again
        peerB.sendLine(QmpMessages.reply(arrived.get(), Map.of("qemu", Map.of("major", 10))));
        releaseB.countDown();
        Await.value(bLoopHeld);
        assertThat(Await.value(Await.value(bSecond)).path("qemu").path("major").asInt()).isEqualTo(10);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
