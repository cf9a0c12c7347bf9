package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The protocol-specific part of a connection: what to do with messages that are not replies
 * (QMP's greeting and events), and with the end of the connection. Called on the I/O thread;
 * implementations must not block.
 */
public interface MessageListener {
    /** A message with neither {@code return} nor {@code error}. */
    void onMessage(ObjectNode message);

    /** The connection closed; {@code cause} says why. Called once. */
    default void onClosed(Throwable cause) {
    }
}
