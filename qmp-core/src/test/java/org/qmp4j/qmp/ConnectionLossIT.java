package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.testing.MainLoopBlocker;
import org.qmp4j.testkit.QemuProcess;

/**
 * QEMU dies while commands wait for their replies: they must fail at once with
 * {@link ConnectionClosedException}, long before their own deadline.
 */
class ConnectionLossIT {
    /** The commands' own deadline: far beyond what the test allows for the failure to show. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PROMPT = Duration.ofSeconds(10);

    @Test
    void killedWhileCommandsRunFailsThemPromptlyWithEof() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = connect(qemu, true);
             MainLoopBlocker blocker = MainLoopBlocker.block(client, qemu.dir(), COMMAND_TIMEOUT)) {
            List<CompletableFuture<?>> pending = new ArrayList<>();
            pending.add(blocker.command());
            for (int i = 0; i < 5; i++) {
                pending.add(client.executeAsync("query-status"));
            }
            // An OOB reply means QEMU has read every byte sent before it: the kill gives a clean EOF.
            client.execute("query-yank", null, CommandOptions.defaults().withOob(true));
            assertThat(pending).noneMatch(Future::isDone);

            long killedAt = System.nanoTime();
            qemu.kill();

            for (CompletableFuture<?> command : pending) {
                Throwable failure = failureOf(command);
                assertThat(failure).isInstanceOf(ConnectionClosedException.class);
                assertThat(failure.getCause()).as("cause of %s", failure).isNotNull();
                assertThat(failure.getCause().getMessage()).contains("EOF");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(PROMPT);
            assertClosed(client);
        }
    }

    @Test
    void killedWhileFrozenFailsUnreadCommandsPromptly() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient client = connect(qemu, false)) {
            qemu.suspend();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pending.add(client.executeAsync(i % 2 == 0 ? "query-status" : "query-version"));
            }
            long killedAt = System.nanoTime();
            qemu.kill();

            for (CompletableFuture<?> command : pending) {
                Throwable failure = failureOf(command);
                assertThat(failure).isInstanceOf(ConnectionClosedException.class);
                // The hang-up, or the write that the hang-up cut short: either way, the reason is kept.
                assertThat(failure.getCause()).as("cause of %s", failure).isNotNull();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(PROMPT);
            assertClosed(client);
        }
    }

    private static QmpClient connect(QemuProcess qemu, boolean oob) {
        return QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                .commandTimeout(COMMAND_TIMEOUT).enableOob(oob).build());
    }

    /** The failure of {@code command}, which must come within {@link #PROMPT}. */
    private static Throwable failureOf(CompletableFuture<?> command) throws InterruptedException {
        try {
            Object value = command.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("still pending " + PROMPT + " after QEMU died", e);
        }
    }

    private static void assertClosed(QmpClient client) {
        assertThat(client.closeFuture()).succeedsWithin(PROMPT);
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(client.executeAsync("query-status")).failsWithin(PROMPT)
                .withThrowableThat().havingCause().isInstanceOf(ConnectionClosedException.class);
    }
}
