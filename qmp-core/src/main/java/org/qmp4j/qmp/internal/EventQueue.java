package org.qmp4j.qmp.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.core.WaitInterruptedException;
import org.qmp4j.core.transport.IoThreads;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventOverflowException;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.QmpEvent;

/**
 * One subscriber's bounded queue. {@link #offer} is called on the I/O thread and never blocks;
 * readers wait in {@link #poll}. Subclasses add push delivery.
 */
class EventQueue implements EventSubscription {
    private final EventDispatcher dispatcher;
    private final EventFilter filter;
    private final int capacity;
    private final OverflowPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<QmpEvent> queue = new ArrayDeque<>();
    private long dropped;
    private boolean closedByOwner;
    private Qmp4jException terminated;

    EventQueue(EventDispatcher dispatcher, EventFilter filter, int capacity, OverflowPolicy policy) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.dispatcher = dispatcher;
        this.filter = filter;
        this.capacity = capacity;
        this.policy = policy;
    }

    final EventFilter filter() {
        return filter;
    }

    /** Enqueues per the overflow policy. I/O thread; never blocks for long. */
    final void offer(QmpEvent event) {
        lock.lock();
        try {
            if (closedByOwner || terminated != null) {
                return;
            }
            if (queue.size() >= capacity) {
                switch (policy) {
                    case DROP_OLDEST -> {
                        queue.pollFirst();
                        dropped++;
                    }
                    case DROP_NEWEST -> {
                        dropped++;
                        return;
                    }
                    case FAIL -> {
                        terminated = new EventOverflowException(capacity);
                        dispatcher.remove(this);
                        available.signalAll();
                        signalled();
                        return;
                    }
                }
            }
            queue.addLast(event);
            available.signal();
        } finally {
            lock.unlock();
        }
        signalled();
    }

    /** The connection ended: readers drain what is queued, then get {@code cause}. */
    final void terminate(Qmp4jException cause) {
        lock.lock();
        try {
            if (terminated == null) {
                terminated = cause;
            }
            available.signalAll();
        } finally {
            lock.unlock();
        }
        signalled();
    }

    /** Hook: an event was queued or the queue ended. Called outside the lock. */
    void signalled() {
    }

    /** Takes the next event without waiting; empty when none. Throws the termination once drained. */
    final Optional<QmpEvent> pollNow() {
        return poll(Duration.ZERO);
    }

    @Override
    public final Optional<QmpEvent> poll(Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                QmpEvent next = queue.pollFirst();
                if (next != null) {
                    return Optional.of(next);
                }
                if (closedByOwner) {
                    return Optional.empty();
                }
                if (terminated != null) {
                    throw terminated;
                }
                if (nanos <= 0) {
                    return Optional.empty();
                }
                if (IoThreads.isIoThread()) {
                    throw new org.qmp4j.core.BlockingOnIoThreadException();
                }
                try {
                    nanos = available.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WaitInterruptedException(e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether events are queued. */
    final boolean hasQueued() {
        lock.lock();
        try {
            return !queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the connection closed or the queue overflowed (not: closed by its owner). */
    final boolean isTerminated() {
        lock.lock();
        try {
            return terminated != null && !closedByOwner;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void close() {
        dispatcher.remove(this);
        lock.lock();
        try {
            closedByOwner = true;
            queue.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
