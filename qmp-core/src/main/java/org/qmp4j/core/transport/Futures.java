package org.qmp4j.core.transport;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.BlockingOnIoThreadException;
import org.qmp4j.core.CancelledException;
import org.qmp4j.core.WaitInterruptedException;

/** The timed wait of a caller that acts as its command's deadline timer itself (a direct write). */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits for {@code future} until {@code deadlineNanos} ({@link System#nanoTime()} scale) and
     * returns its value or throws its failure. The caller gets {@link DeadlinePassed} and decides
     * what fails; an interrupt gives {@link WaitInterruptedException}, as {@link Blocking#await} does.
     */
    public static <T> T await(CompletableFuture<T> future, long deadlineNanos) {
        if (!future.isDone() && IoThreads.isIoThread()) {
            throw new BlockingOnIoThreadException();
        }
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(e);
        } catch (TimeoutException e) {
            throw new DeadlinePassed();
        } catch (ExecutionException e) {
            throw Blocking.rethrow(e.getCause());
        } catch (CancellationException e) {
            throw new CancelledException("cancelled", e);
        }
    }

    /** The deadline of {@link #await(CompletableFuture, long)} passed; never leaves qmp4j. */
    public static final class DeadlinePassed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadlinePassed() {
            super(null, null, false, false);
        }
    }
}
