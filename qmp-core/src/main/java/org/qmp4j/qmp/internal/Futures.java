package org.qmp4j.qmp.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
            throw new Qmp4jException("interrupted while waiting for a reply (the command may still run)", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (CancellationException e) {
            throw new Qmp4jException("cancelled", e);
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
