package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.qga.GuestAgentClient;

/**
 * SIGTERM or Ctrl-C in the middle of a snapshot or merge: the JVM's shutdown hook interrupts the
 * command's thread, so the operation stops at its next wait and undoes what it made (or, past its
 * point of no return, finishes), waits for that, and then closes the guest agent client, which
 * thaws a freeze it still holds. Each wait is bounded; whatever is left then is the thaw guardian's
 * (armed for every freeze, it acts once this process is gone) and {@code qmp4j recover}'s.
 */
final class StopOnSignal implements AutoCloseable {
    private static final Duration UNDO_LIMIT = Duration.ofSeconds(30);
    private static final Duration THAW_LIMIT = Duration.ofSeconds(10);

    private final Thread hook;
    private final CountDownLatch done = new CountDownLatch(1);

    private StopOnSignal(List<GuestAgentClient> agents, PrintStream err, String what) {
        Thread command = Thread.currentThread();
        this.hook = new Thread(() -> {
            if (done.getCount() == 0) {
                return;
            }
            err.println("qmp4j: interrupted: stopping the " + what
                    + (agents.isEmpty() ? "" : agents.size() == 1 ? " and thawing the guest" : " and thawing the guests")
                    + " before exit");
            err.flush();
            command.interrupt();
            await(UNDO_LIMIT, err);
            // every agent's close (its thaw) at once: one slow guest must not hold back another's thaw
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (GuestAgentClient agent : agents) {
                if (agent.state() != ConnectionState.CLOSED) {
                    closing.add(agent.closeAsync());
                }
            }
            try {
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                        .get(THAW_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println("qmp4j: the thaw did not finish in " + THAW_LIMIT.toSeconds() + " s (" + e
                        + "): the thaw guardian goes on with it");
            }
        }, "qmp4j-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Guards the {@code what} (e.g. "snapshot") that the calling thread runs until {@link #close()}. */
    static StopOnSignal guard(GuestAgentClient agent, PrintStream err, String what) {
        return new StopOnSignal(agent == null ? List.of() : List.of(agent), err, what);
    }

    /** The same for an operation on several VMs, thawing each of {@code agents}. */
    static StopOnSignal guardAll(List<GuestAgentClient> agents, PrintStream err, String what) {
        return new StopOnSignal(List.copyOf(agents), err, what);
    }

    private void await(Duration limit, PrintStream err) {
        try {
            if (!done.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                err.println("qmp4j: the operation did not stop within " + limit.toSeconds() + " s: "
                        + "run qmp4j recover");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command is over: a signal now just ends the process. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it sees the command is done
        }
    }
}
