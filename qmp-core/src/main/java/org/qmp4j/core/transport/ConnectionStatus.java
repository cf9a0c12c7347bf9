package org.qmp4j.core.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.qmp4j.core.ConnectionState;

/**
 * The one place a connection's state lives: a single field changed only by compare-and-set, so a
 * late close request can never move a closed connection back to closing, and every change is seen
 * by the listeners exactly once. The legal moves: CONNECTING → NEGOTIATING → READY; any state
 * before CLOSING → CLOSING; any → CLOSED, which is final.
 */
public final class ConnectionStatus {
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.CONNECTING);
    private final List<Consumer<ConnectionState>> listeners = new CopyOnWriteArrayList<>();

    /** The current state. */
    public ConnectionState get() {
        return state.get();
    }

    /** Whether commands may be sent: during the start-up (the protocol's own) and once ready. */
    public boolean acceptsCommands() {
        ConnectionState s = state.get();
        return s == ConnectionState.NEGOTIATING || s == ConnectionState.READY;
    }

    /** Moves {@code from} → {@code to} if the state is still {@code from}; false otherwise. */
    public boolean advance(ConnectionState from, ConnectionState to) {
        if (to.ordinal() != from.ordinal() + 1 || to == ConnectionState.CLOSED) {
            throw new IllegalArgumentException("not a forward step: " + from + " -> " + to);
        }
        return moved(from, state.compareAndSet(from, to), to);
    }

    /** Moves to CLOSING from any state before it; false if it was already closing or closed. */
    public boolean beginClosing() {
        while (true) {
            ConnectionState s = state.get();
            if (s.compareTo(ConnectionState.CLOSING) >= 0) {
                return false;
            }
            if (state.compareAndSet(s, ConnectionState.CLOSING)) {
                return moved(s, true, ConnectionState.CLOSING);
            }
        }
    }

    /** Moves to CLOSED, from whatever state; false if it was closed already. */
    public boolean closed() {
        ConnectionState before = state.getAndSet(ConnectionState.CLOSED);
        return moved(before, before != ConnectionState.CLOSED, ConnectionState.CLOSED);
    }

    /** Calls {@code listener} with every later state (on the thread that changed it; it must not block). */
    public void addListener(Consumer<ConnectionState> listener) {
        listeners.add(listener);
    }

    private boolean moved(ConnectionState from, boolean changed, ConnectionState to) {
        if (changed) {
            for (Consumer<ConnectionState> listener : listeners) {
                listener.accept(to);
            }
        }
        return changed;
    }

    @Override
    public String toString() {
        return state.get().toString();
    }
}
