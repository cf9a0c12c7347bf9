package org.qmp4j.core;

/** Where a connection is in its life. States only move forward. */
public enum ConnectionState {
    /** The socket is being connected. */
    CONNECTING,
    /** Connected; the greeting and capability negotiation (or agent synchronisation) are in progress. */
    NEGOTIATING,
    /** Ready for commands. */
    READY,
    /** {@code close} was called: no new commands; commands in flight may still complete. */
    CLOSING,
    /** The socket is closed; every command failed or completed. */
    CLOSED
}
