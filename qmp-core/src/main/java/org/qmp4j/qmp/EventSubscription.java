package org.qmp4j.qmp;

import java.time.Duration;
import java.util.Optional;

/**
 * A subscriber's bounded queue of events. Pull with {@link #poll(Duration)}, or, for a listener
 * subscription, let the listener receive them on the event executor. Close it to unsubscribe.
 *
 * <p>Events are queued in the order QEMU sent them, and an event QEMU sent before a command's
 * reply is in a pull subscription's queue by the time that reply is delivered.
 */
public interface EventSubscription extends AutoCloseable {

    /**
     * Waits up to {@code timeout} for the next event. Returns empty on timeout, or at once when
     * the subscription was closed by its owner.
     *
     * @throws ConnectionClosedException once the connection closed and every queued event was read
     * @throws EventOverflowException once the queue overflowed under {@link OverflowPolicy#FAIL}
     *         and every queued event was read
     */
    Optional<QmpEvent> poll(Duration timeout);

    /** Events dropped by the overflow policy so far. */
    long dropped();

    /** Unsubscribes. Queued events are discarded. Idempotent. */
    @Override
    void close();
}
