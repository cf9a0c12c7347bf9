package org.qmp4j.qga.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.qga.FreezeHandle;
import org.qmp4j.qga.FreezeStatus;
import org.qmp4j.qga.ThawFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A freeze in progress: the watchdog that thaws at the maximum duration, and the thaw that is
 * retried until {@code guest-fsfreeze-status} confirms it. The caller's close and the watchdog
 * share one thaw; a failed thaw is tried afresh by the next close.
 */
final class ActiveFreeze implements FreezeHandle {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveFreeze.class);
    static final int THAW_ATTEMPTS = 3;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final ThawOps ops;
    private final Consumer<ActiveFreeze> onThawed;
    // Stamped again when the freeze is sent (armWatchdog): the pre-check before it is not frozen time.
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
    }

    ActiveFreeze(ThawOps ops, Consumer<ActiveFreeze> onThawed) {
        this.ops = ops;
        this.onThawed = onThawed;
    }

    /**
     * Marks the freeze as sent (the start of {@link #frozenFor()}) and arms the watchdog; called
     * right before the freeze is sent, after the status pre-check.
     */
    synchronized void armWatchdog(Duration maxDuration) {
        frozenAtNanos = System.nanoTime();
        frozenAt = Instant.now();
        watchdog = ops.schedule(() -> {
            LOG.warn("guest frozen for the maximum of {} ms: the watchdog thaws it", maxDuration.toMillis());
            thawedByWatchdog = true;
            thawAsync();
        }, maxDuration);
    }

    void frozen(int count) {
        this.frozenFilesystems = count;
    }

    /** Thaws (once, shared by every caller), retrying and confirming. */
    synchronized CompletableFuture<Void> thawAsync() {
        if (watchdog != null && !thawedByWatchdog) {
            watchdog.cancel(false);
        }
        if (thaw == null || thaw.isCompletedExceptionally()) {
            thaw = attempt(1);
        }
        return thaw;
    }

    private CompletableFuture<Void> attempt(int n) {
        return ops.thaw()
                .handle((count, error) -> error)
                .thenCompose(thawError -> ops.status().handle((status, statusError) -> {
                    if (status == FreezeStatus.THAWED) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Throwable why = statusError != null ? Blocking.unwrap(statusError)
                            : thawError != null ? Blocking.unwrap(thawError)
                            : new IllegalStateException("guest-fsfreeze-status says " + status);
                    if (n >= THAW_ATTEMPTS) {
                        LOG.error("GUEST MAY STILL BE FROZEN: thaw not confirmed after {} attempts: {}",
                                THAW_ATTEMPTS, why.toString());
                        return CompletableFuture.<Void>failedFuture(new ThawFailedException(
                                "guest may still be frozen: thaw not confirmed after " + THAW_ATTEMPTS
                                        + " attempts: " + why.getMessage(), why));
                    }
                    LOG.warn("thaw attempt {} not confirmed ({}); retrying", n, why.toString());
                    CompletableFuture<Void> retry = new CompletableFuture<>();
                    try {
                        ops.schedule(() -> attempt(n + 1).whenComplete((v, e) -> {
                            if (e != null) {
                                retry.completeExceptionally(Blocking.unwrap(e));
                            } else {
                                retry.complete(null);
                            }
                        }), RETRY_PAUSE);
                    } catch (RuntimeException closed) {
                        // The client is closed: no retry can get through any more.
                        retry.completeExceptionally(new ThawFailedException("guest may still be frozen: thaw not "
                                + "confirmed (" + why.getMessage() + ") and the agent client is closed", why));
                    }
                    return retry;
                }).thenCompose(f -> f))
                .thenRun(() -> {
                    thawedAtNanos = System.nanoTime();
                    onThawed.accept(this);
                });
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
