package org.qmp4j.core;

import java.time.Duration;

/**
 * The connect deadline passed before the connection was ready: the socket did not connect, or
 * the peer did not finish its start-up (QMP greeting and negotiation, the agent's sync) in time. A
 * QMP socket that already serves another client, or a stopped QEMU, looks like this.
 */
public class ConnectTimeoutException extends ConnectionFailedException {
    private static final long serialVersionUID = 1L;

    private final transient Endpoint endpoint;
    private final Duration timeout;

    /**
     * @param endpoint where the connection was to go
     * @param timeout the deadline that passed
     */
    public ConnectTimeoutException(Endpoint endpoint, Duration timeout) {
        super("cannot connect to " + endpoint + ": not ready within " + timeout.toMillis() + " ms", null);
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** Where the connection was to go. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The connect deadline that passed. */
    public Duration timeout() {
        return timeout;
    }
}
