package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.FakeQmpPeer;

/**
 * A connection's I/O thread may write another connection's command directly (the thaw that the
 * QMP connection's thread sends to the agent inside a freeze window). The pooled buffers of that
 * write come from a per-thread cache that is built on the thread's first allocation: it is built
 * as the connection becomes ready, not in the middle of that first write.
 */
class QmpClientIoThreadPreparationTest {
    @Test
    void aReadyConnectionsIoThreadHasItsBufferCacheAlready() {
        int before = PooledByteBufAllocator.DEFAULT.metric().numThreadLocalCaches();
        try (ClientResources resources = ClientResources.create(1); // a new I/O thread, with no cache yet
             FakeQmpPeer peer = FakeQmpPeer.start();
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.unix(peer.socket()))
                     .resources(resources).build())) {
            assertThat(client.state()).isEqualTo(org.qmp4j.core.ConnectionState.READY);
            assertThat(Await.until(() -> PooledByteBufAllocator.DEFAULT.metric().numThreadLocalCaches() > before,
                    Await.LIMIT)).as("the I/O thread's cache of pooled direct buffers was made").isTrue();
        }
    }
}
