package org.qmp4j.core.transport;

import java.time.Duration;
import org.qmp4j.core.Endpoint;

/**
 * What the shared connection layer needs to know, whichever protocol runs on top.
 *
 * @param endpoint where to connect
 * @param connectTimeout deadline for the socket connect plus the protocol's own start-up
 * @param commandTimeout default command deadline
 * @param maxFrameBytes cap of one message
 * @param peerName how logs and errors name the peer
 */
public record TransportSettings(Endpoint endpoint, Duration connectTimeout, Duration commandTimeout,
                                int maxFrameBytes, String peerName) {
}
