package org.qmp4j.qmp.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.MessageListener;
import org.qmp4j.core.transport.ProtocolConnection;
import org.qmp4j.qmp.Greeting;
import org.qmp4j.qmp.QmpEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QMP's side of a connection: the greeting, {@code qmp_capabilities}, and events. Messages that
 * are neither replies, events nor (first) the greeting are logged and dropped.
 */
final class QmpSession implements MessageListener {
    private static final Logger LOG = LoggerFactory.getLogger(QmpSession.class);

    private final ProtocolConnection connection;
    private final boolean wantOob;
    private final EventDispatcher events;
    private final CompletableFuture<Greeting> greeting = new CompletableFuture<>();
    private volatile Set<String> negotiated = Set.of();

    QmpSession(ProtocolConnection connection, boolean wantOob) {
        this.connection = connection;
        this.wantOob = wantOob;
        this.events = new EventDispatcher(connection.resources().eventExecutor());
    }

    EventDispatcher events() {
        return events;
    }

    Greeting greeting() {
        return greeting.getNow(null);
    }

    Set<String> negotiated() {
        return negotiated;
    }

    /** Waits for the greeting, then enables the capabilities we want and the server offers. */
    CompletableFuture<Void> negotiate() {
        return greeting.thenCompose(g -> {
            boolean oob = wantOob && g.offers("oob");
            ObjectNode args = oob ? Json.toArguments(Map.of("enable", List.of("oob"))) : null;
            return connection.send("qmp_capabilities", args, CommandOptions.defaults(), true)
                    .thenRun(() -> {
                        negotiated = oob ? Set.of("oob") : Set.of();
                        connection.markReady();
                    });
        });
    }

    @Override
    public void onMessage(ObjectNode message) {
        if (message.has("event")) {
            events.dispatch(QmpEvent.parse(message));
        } else if (message.has("QMP") && !greeting.isDone()) {
            try {
                greeting.complete(Greeting.parse(message));
            } catch (ProtocolException e) {
                greeting.completeExceptionally(e);
            }
        } else if (!greeting.isDone()) {
            ProtocolException e = new ProtocolException("expected a QMP greeting, got: "
                    + Json.excerpt(message.toString(), 200));
            greeting.completeExceptionally(e);
            connection.failConnection(e);
        } else {
            if (LOG.isDebugEnabled()) {
                LOG.debug("QMP sent an unexpected message; dropped: {}", Json.printable(message.toString(), 200));
            }
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        greeting.completeExceptionally(cause != null ? cause
                : new org.qmp4j.core.ConnectionClosedException("closed before the greeting"));
        events.close(cause);
    }
}
