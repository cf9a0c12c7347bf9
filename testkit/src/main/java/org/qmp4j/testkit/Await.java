package org.qmp4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Bounded waits for tests: every wait has a generous limit, so that a broken client fails the
 * test instead of hanging it, and a loaded machine does not make it flaky.
 */
public final class Await {
    /** The default limit: generous, since the point is "eventually", not speed. */
    public static final Duration LIMIT = Duration.ofSeconds(5);

    private Await() {
    }

    /** The value of {@code future}, which must complete normally within {@link #LIMIT}. */
    public static <T> T value(Future<T> future) {
        try {
            return future.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected a value, but the future failed with " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The failure of {@code future}, which must fail within {@link #LIMIT}. */
    public static Throwable failure(Future<?> future) {
        return failure(future, LIMIT);
    }

    /** The failure of {@code future}, which must fail within {@code limit}. */
    public static Throwable failure(Future<?> future, Duration limit) {
        try {
            Object value = future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, but the future completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future did not fail within " + limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** {@code t} and its causes, outermost first. */
    public static List<Throwable> causeChain(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    /** Polls {@code condition} until it holds; false if it did not within {@code limit}. */
    public static boolean until(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Names of live threads whose name starts with {@code prefix}. */
    public static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }
}
