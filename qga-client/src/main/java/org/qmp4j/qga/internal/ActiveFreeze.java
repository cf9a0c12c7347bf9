package org.qmp4j.qga.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.ThawFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A freeze in progress, and the one thaw: the watchdog that thaws at the maximum frozen time
 * (counted from the freeze's reply, so a slow freeze is not thawed the moment it completes), and
 * the thaw that is retried, with a growing pause, until {@code guest-fsfreeze-status} confirms it or
 * the thaw budget runs out. An agent still busy freezing cannot answer (each try first resyncs),
 * so a thaw keeps trying for the whole budget; a lost connection is opened again when the
 * {@link ThawOps} can, and ends the thaw at once when they cannot. The caller's close, the
 * watchdog and the owner's failure handling share one thaw; a failed thaw is tried afresh by the
 * next close.
 */
final class ActiveFreeze implements FreezeHandle {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveFreeze.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

    private final ThawOps ops;
    private final Duration thawBudget;
    private final Consumer<ActiveFreeze> onThawed;
    // Stamped again when the freeze is sent: the pre-check before it is not frozen time.
    private volatile Instant frozenAt = Instant.now();
    private volatile long frozenAtNanos = System.nanoTime();
    private volatile int frozenFilesystems;
    private volatile long thawedAtNanos;
    private volatile boolean thawedByWatchdog;
    private Future<?> watchdog;
    private CompletableFuture<Void> thaw;

    /** The agent operations a thaw needs. */
    interface ThawOps {
        CompletableFuture<Integer> thaw();

        CompletableFuture<FreezeStatus> status();

        /** Runs {@code task} after {@code delay} on a timer; never blocks. */
        Future<?> schedule(Runnable task, Duration delay);

        /**
         * Whether another try can get through after {@code failure}. By default a closed
         * connection ends the thaw (nothing gets through it); ops that open a new connection
         * say otherwise.
         */
        default boolean worthRetrying(Throwable failure) {
            return !(failure instanceof ConnectionClosedException);
        }

        /** The thaw is over (confirmed, or given up): let go of what it opened. */
        default void release() {
        }
    }

    ActiveFreeze(ThawOps ops, Duration thawBudget, Consumer<ActiveFreeze> onThawed) {
        this.ops = ops;
        this.thawBudget = thawBudget;
        this.onThawed = onThawed;
    }

    /** Marks the freeze as sent: the start of {@link #frozenFor()}. */
    void freezeSent() {
        frozenAtNanos = System.nanoTime();
        frozenAt = Instant.now();
    }

    /**
     * The freeze replied: {@code count} file systems are frozen, and the watchdog thaws them after
     * {@code maxDuration} from now, whatever the caller does.
     */
    synchronized void frozen(int count, Duration maxDuration) {
        this.frozenFilesystems = count;
        if (thaw != null) {
            return; // already thawing
        }
        watchdog = ops.schedule(() -> {
            LOG.warn("guest frozen for the maximum of {} ms: the watchdog thaws it", maxDuration.toMillis());
            thawedByWatchdog = true;
            thawAsync();
        }, maxDuration);
    }

    /** Thaws (once, shared by every caller), retrying and confirming within the thaw budget. */
    @Override
    public synchronized CompletableFuture<Void> thawAsync() {
        if (watchdog != null && !thawedByWatchdog) {
            watchdog.cancel(false);
        }
        if (thaw == null || thaw.isCompletedExceptionally()) {
            thaw = attempt(1, System.nanoTime() + thawBudget.toNanos());
        }
        return thaw;
    }

    private CompletableFuture<Void> attempt(int n, long deadline) {
        return ops.thaw()
                .handle((count, error) -> error)
                .thenCompose(thawError -> ops.status().handle((status, statusError) -> {
                    if (status == FreezeStatus.THAWED) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Throwable why = statusError != null ? Blocking.unwrap(statusError)
                            : thawError != null ? Blocking.unwrap(thawError)
                            : new IllegalStateException("guest-fsfreeze-status says " + status);
                    long left = deadline - System.nanoTime();
                    boolean unreachable = !ops.worthRetrying(why);
                    if (unreachable || left <= 0) {
                        ops.release();
                        String what = unreachable ? "the agent cannot be reached"
                                : "the thaw budget of " + thawBudget.toSeconds() + " s ran out";
                        LOG.error("GUEST MAY STILL BE FROZEN: thaw not confirmed after {} attempts ({}): {}", n, what,
                                why.toString());
                        return CompletableFuture.<Void>failedFuture(new ThawFailedException("guest may still be "
                                + "frozen: thaw not confirmed after " + n + " attempts (" + what + "): "
                                + why.getMessage(), why));
                    }
                    LOG.warn("thaw attempt {} not confirmed ({}); retrying", n, why.toString());
                    return retry(n, deadline, left, why);
                }).thenCompose(f -> f))
                .thenRun(() -> {
                    thawedAtNanos = System.nanoTime();
                    ops.release();
                    onThawed.accept(this);
                });
    }

    private CompletableFuture<Void> retry(int n, long deadline, long leftNanos, Throwable why) {
        long pause = Math.min(Math.min(FIRST_PAUSE.toNanos() << Math.min(n - 1, 10), MAX_PAUSE.toNanos()), leftNanos);
        CompletableFuture<Void> retry = new CompletableFuture<>();
        try {
            ops.schedule(() -> attempt(n + 1, deadline).whenComplete((v, e) -> {
                if (e != null) {
                    retry.completeExceptionally(Blocking.unwrap(e));
                } else {
                    retry.complete(null);
                }
            }), Duration.ofNanos(pause));
        } catch (RuntimeException closed) {
            // The client's resources are closed: no retry can get through any more.
            ops.release();
            retry.completeExceptionally(new ThawFailedException("guest may still be frozen: thaw not "
                    + "confirmed (" + why.getMessage() + ") and the agent client is closed", why));
        }
        return retry;
    }

    @Override
    public int frozenFilesystems() {
        return frozenFilesystems;
    }

    @Override
    public Instant frozenAt() {
        return frozenAt;
    }

    @Override
    public Duration frozenFor() {
        long end = thawedAtNanos;
        return Duration.ofNanos((end != 0 ? end : System.nanoTime()) - frozenAtNanos);
    }

    @Override
    public boolean isThawed() {
        return thawedAtNanos != 0;
    }

    @Override
    public boolean thawedByWatchdog() {
        return thawedByWatchdog;
    }

    @Override
    public void close() {
        Blocking.await(thawAsync());
    }
}
