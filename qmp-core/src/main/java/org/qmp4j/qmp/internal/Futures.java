package org.qmp4j.qmp.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qmp4j.qmp.BlockingOnIoThreadException;
import org.qmp4j.qmp.Qmp4jException;

/** The thin blocking layer over the async API, shared by every client. */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits for {@code future} and returns its value, or throws its failure as it is (a
     * {@link Qmp4jException} subtype). Every future given here has its own deadline, so this
     * never waits forever. Fails fast on an I/O thread.
     */
    public static <T> T await(CompletableFuture<T> future) {
        if (!future.isDone() && IoThreads.isIoThread()) {
            throw new BlockingOnIoThreadException();
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted(e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (CancellationException e) {
            throw new Qmp4jException("cancelled", e);
        }
    }

    /**
     * Waits for {@code future} until {@code deadlineNanos} ({@link System#nanoTime()} scale) and
     * returns its value or throws its failure. For callers that act as the deadline timer
     * themselves: they get {@link DeadlinePassed} or {@link Interrupted} and decide what fails.
     */
    public static <T> T await(CompletableFuture<T> future, long deadlineNanos) {
        if (!future.isDone() && IoThreads.isIoThread()) {
            throw new BlockingOnIoThreadException();
        }
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted(e);
        } catch (TimeoutException e) {
            throw new DeadlinePassed();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (CancellationException e) {
            throw new Qmp4jException("cancelled", e);
        }
    }

    /** The caller's thread was interrupted while it waited for a reply. */
    public static final class Interrupted extends Qmp4jException {
        private static final long serialVersionUID = 1L;

        Interrupted(InterruptedException cause) {
            super("interrupted while waiting for a reply (the command may still run)", cause);
        }
    }

    /** The deadline of {@link #await(CompletableFuture, long)} passed; never leaves qmp4j. */
    public static final class DeadlinePassed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadlinePassed() {
            super(null, null, false, false);
        }
    }

    /**
     * Waits for a close to finish, except on an I/O thread, where waiting would deadlock the
     * close itself: there the close just goes on in the background.
     */
    public static void awaitClose(CompletableFuture<Void> closing) {
        if (!IoThreads.isIoThread()) {
            await(closing);
        }
    }

    /** The real failure inside {@link CompletionException} / {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException rethrow(Throwable cause) {
        Throwable t = unwrap(cause);
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new Qmp4jException(t.toString(), t);
    }
}
