package org.qmp4j.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.ConnectionState;

class ConnectionStatusTest {
    @Test
    void movesForwardAndTellsEachChangeOnce() {
        ConnectionStatus status = new ConnectionStatus();
        List<ConnectionState> seen = new CopyOnWriteArrayList<>();
        status.addListener(seen::add);

        assertThat(status.advance(ConnectionState.CONNECTING, ConnectionState.NEGOTIATING)).isTrue();
        assertThat(status.advance(ConnectionState.CONNECTING, ConnectionState.NEGOTIATING)).isFalse();
        assertThat(status.acceptsCommands()).isTrue();
        assertThat(status.advance(ConnectionState.NEGOTIATING, ConnectionState.READY)).isTrue();
        assertThat(status.beginClosing()).isTrue();
        assertThat(status.beginClosing()).isFalse();
        assertThat(status.acceptsCommands()).isFalse();
        assertThat(status.closed()).isTrue();
        assertThat(status.closed()).isFalse();

        assertThat(seen).containsExactly(ConnectionState.NEGOTIATING, ConnectionState.READY, ConnectionState.CLOSING,
                ConnectionState.CLOSED);
    }

    /** The race the old volatile writes had: a close request that comes after the close finished. */
    @Test
    void aLateCloseRequestNeverMovesClosedBack() {
        ConnectionStatus status = new ConnectionStatus();
        status.closed();

        assertThat(status.beginClosing()).isFalse();
        assertThat(status.advance(ConnectionState.NEGOTIATING, ConnectionState.READY)).isFalse();
        assertThat(status.get()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void onlyForwardStepsAreAccepted() {
        ConnectionStatus status = new ConnectionStatus();
        assertThatThrownBy(() -> status.advance(ConnectionState.READY, ConnectionState.CONNECTING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> status.advance(ConnectionState.CONNECTING, ConnectionState.READY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(status.get()).isEqualTo(ConnectionState.CONNECTING);
    }

    /** Many threads closing and finishing at once: CLOSED wins, and every change is told exactly once. */
    @Test
    void concurrentCloseAndFinishEndClosedWithEachChangeToldOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 200; round++) {
                ConnectionStatus status = new ConnectionStatus();
                status.advance(ConnectionState.CONNECTING, ConnectionState.NEGOTIATING);
                status.advance(ConnectionState.NEGOTIATING, ConnectionState.READY);
                List<ConnectionState> seen = new CopyOnWriteArrayList<>();
                status.addListener(seen::add);
                CountDownLatch start = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(8);
                for (int t = 0; t < 8; t++) {
                    boolean finisher = t % 2 == 0;
                    pool.execute(() -> {
                        try {
                            start.await();
                            if (finisher) {
                                status.closed();
                            } else {
                                status.beginClosing();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            done.countDown();
                        }
                    });
                }
                start.countDown();
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(status.get()).isEqualTo(ConnectionState.CLOSED);
                assertThat(seen).containsOnlyOnce(ConnectionState.CLOSED).doesNotHaveDuplicates();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
