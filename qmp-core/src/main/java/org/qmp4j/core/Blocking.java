package org.qmp4j.core;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qmp4j.core.transport.IoThreads;

/**
 * The thin blocking layer over the async API, the same for every qmp4j client: wait for a future
 * and get its value, or its failure as the {@link Qmp4jException} subtype it is (never wrapped in
 * {@link ExecutionException} or {@link CompletionException}).
 */
public final class Blocking {
    private Blocking() {
    }

    /**
     * Waits for {@code future} and returns its value, or throws its failure as it is. Every future
     * qmp4j returns has its own deadline, so this never waits forever.
     *
     * @throws BlockingOnIoThreadException when called on a qmp4j I/O thread for a future that is
     *         not done yet (waiting there would deadlock the thread that completes it)
     * @throws WaitInterruptedException when the calling thread is interrupted (its flag stays set)
     */
    public static <T> T await(CompletableFuture<T> future) {
        failFastOnIoThread(future);
        try {
            return future.get();
        } catch (InterruptedException | ExecutionException | CancellationException e) {
            throw failure(e);
        }
    }

    /**
     * {@link #await(CompletableFuture)} for at most {@code timeout}: for a caller that is its own
     * deadline timer. When the time passes the future is left as it is, and the caller decides
     * what fails.
     *
     * @throws TimeoutException when {@code timeout} passed first
     */
    public static <T> T await(CompletableFuture<T> future, long timeout, TimeUnit unit) throws TimeoutException {
        failFastOnIoThread(future);
        try {
            return future.get(Math.max(0, timeout), unit);
        } catch (InterruptedException | ExecutionException | CancellationException e) {
            throw failure(e);
        }
    }

    private static void failFastOnIoThread(CompletableFuture<?> future) {
        if (!future.isDone() && IoThreads.isIoThread()) {
            throw new BlockingOnIoThreadException();
        }
    }

    /** What a failed wait throws: the future's own failure, or why the wait itself ended. */
    private static RuntimeException failure(Exception e) {
        if (e instanceof InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new WaitInterruptedException(interrupted);
        }
        if (e instanceof ExecutionException failed) {
            return rethrow(failed.getCause());
        }
        return new CancelledException("cancelled", e);
    }

    /**
     * Waits for a close to finish, except on an I/O thread, where waiting would deadlock the close
     * itself: there the close just goes on in the background.
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

    /** {@code cause}, unwrapped, as an unchecked exception to throw. */
    public static RuntimeException rethrow(Throwable cause) {
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
