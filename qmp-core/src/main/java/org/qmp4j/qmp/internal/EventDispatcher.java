package org.qmp4j.qmp.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.OverflowPolicy;
import org.qmp4j.qmp.QmpEvent;

/**
 * Fans events out to subscribers. {@link #dispatch} runs on the I/O thread and only enqueues;
 * listeners run on the event executor.
 */
public final class EventDispatcher {
    private final CopyOnWriteArrayList<EventQueue> subscribers = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private volatile Qmp4jException closed;

    public EventDispatcher(Executor executor) {
        this.executor = executor;
    }

    /** A pull subscription. */
    public EventSubscription subscribe(EventFilter filter, int capacity, OverflowPolicy policy) {
        return add(new EventQueue(this, filter, capacity, policy));
    }

    /** A push subscription: {@code listener} gets events on the event executor, in order. */
    public EventSubscription listen(EventFilter filter, int capacity, OverflowPolicy policy,
                                    Consumer<QmpEvent> listener) {
        return add(new ListenerQueue(this, filter, capacity, policy, listener, null, executor));
    }

    /**
     * A future for the first event that matches, registered now so that an event caused by a
     * command sent afterwards cannot be missed. Completes on the event executor. Cancel or
     * complete it to unsubscribe.
     */
    public CompletableFuture<QmpEvent> first(EventFilter filter) {
        CompletableFuture<QmpEvent> result = new CompletableFuture<>();
        EventSubscription subscription = add(new ListenerQueue(this, filter, 1, OverflowPolicy.DROP_NEWEST,
                result::complete, result::completeExceptionally, executor));
        result.whenComplete((e, t) -> subscription.close());
        return result;
    }

    private EventSubscription add(EventQueue queue) {
        subscribers.add(queue);
        Qmp4jException c = closed;
        if (c != null) {
            queue.terminate(c);
            subscribers.remove(queue);
        }
        return queue;
    }

    void remove(EventQueue queue) {
        subscribers.remove(queue);
    }

    /** Offers the event to every subscriber whose filter takes it. I/O thread. */
    public void dispatch(QmpEvent event) {
        for (EventQueue queue : subscribers) {
            boolean wanted;
            try {
                wanted = queue.filter().test(event);
            } catch (RuntimeException e) {
                wanted = false; // a broken filter must not break delivery to others
            }
            if (wanted) {
                queue.offer(event);
            }
        }
    }

    /** The connection ended: every subscriber drains its queue, then sees {@code cause}. */
    public void close(Throwable cause) {
        Qmp4jException ended = cause instanceof ConnectionClosedException c ? c
                : new ConnectionClosedException("connection closed" + (cause == null ? "" : ": " + cause.getMessage()),
                        cause);
        closed = ended;
        for (EventQueue queue : subscribers) {
            queue.terminate(ended);
        }
        subscribers.clear();
    }
}
