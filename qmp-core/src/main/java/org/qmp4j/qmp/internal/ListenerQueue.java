package org.qmp4j.qmp.internal;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.QmpEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue drained by a listener on the event executor, one event at a time and in order, so a
 * slow listener delays only itself; its bounded queue and overflow policy decide what it loses.
 */
final class ListenerQueue extends EventQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerQueue.class);

    private final Consumer<QmpEvent> listener;
    private final Consumer<Qmp4jException> onEnd;
    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean endReported;

    /**
     * @param onEnd called once, on the executor, when the connection closes or the queue
     *        overflows (after every queued event was delivered); may be {@code null}
     */
    ListenerQueue(EventDispatcher dispatcher, EventFilter filter, int capacity, OverflowPolicy policy,
                  Consumer<QmpEvent> listener, Consumer<Qmp4jException> onEnd, Executor executor) {
        super(dispatcher, filter, capacity, policy);
        this.listener = listener;
        this.onEnd = onEnd;
        this.executor = executor;
    }

    @Override
    void signalled() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // resources are closing: nothing more is delivered
            }
        }
    }

    private void drain() {
        try {
            while (!endReported) {
                Optional<QmpEvent> next;
                try {
                    next = pollNow();
                } catch (Qmp4jException ended) {
                    endReported = true;
                    if (onEnd != null) {
                        onEnd.accept(ended);
                    }
                    return;
                }
                if (next.isEmpty()) {
                    return;
                }
                try {
                    listener.accept(next.get());
                } catch (RuntimeException e) {
                    LOG.warn("event listener failed on {}", next.get().name(), e);
                }
            }
        } finally {
            scheduled.set(false);
            // Something may have arrived between the last poll and clearing the flag.
            if (!endReported && (hasQueued() || isTerminated())) {
                signalled();
            }
        }
    }
}
