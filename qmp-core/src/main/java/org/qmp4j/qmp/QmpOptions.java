package org.qmp4j.qmp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.qmp4j.core.Checks;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;

/**
 * Immutable settings of one QMP connection. Build with {@link #builder(Endpoint)} or
 * {@link #unix(Path)}.
 */
public final class QmpOptions {
    /** Default deadline for connect + greeting + negotiation. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default deadline of a command. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Default cap of one message: {@code query-qmp-schema} alone is over 100 KiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private final Endpoint endpoint;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final int maxFrameBytes;
    private final boolean enableOob;
    private final ClientResources resources;

    private QmpOptions(Builder b) {
        this.endpoint = b.endpoint;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.maxFrameBytes = b.maxFrameBytes;
        this.enableOob = b.enableOob;
        this.resources = b.resources;
    }

    /** A builder for a connection to {@code endpoint}. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(endpoint);
    }

    /** Defaults for a UNIX socket at {@code socket}. */
    public static QmpOptions unix(Path socket) {
        return builder(Endpoint.unix(socket)).build();
    }

    /** Returns a builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(endpoint)
                .connectTimeout(connectTimeout)
                .commandTimeout(commandTimeout)
                .maxFrameBytes(maxFrameBytes)
                .enableOob(enableOob)
                .resources(resources);
    }

    /** Where to connect. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Deadline for connecting, the greeting and capability negotiation together. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Deadline of a command that sets none of its own. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** Largest message accepted from the peer; a longer one closes the connection. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Whether to enable out-of-band execution when the server offers it. */
    public boolean enableOob() {
        return enableOob;
    }

    /** Shared resources, if given; otherwise the connection makes and owns its own. */
    public Optional<ClientResources> resources() {
        return Optional.ofNullable(resources);
    }

    /** Builder of {@link QmpOptions}. Not thread-safe. */
    public static final class Builder {
        private final Endpoint endpoint;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private boolean enableOob;
        private ClientResources resources;

        private Builder(Endpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        }

        /** Deadline for connect + greeting + negotiation (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive(timeout, "connectTimeout");
            return this;
        }

        /** Default command deadline (default 5 s). */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Checks.positive(timeout, "commandTimeout");
            return this;
        }

        /** Cap of one message in bytes (default 16 MiB). */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1024: " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /** Ask for out-of-band execution if the server offers it (default off). */
        public Builder enableOob(boolean enable) {
            this.enableOob = enable;
            return this;
        }

        /** Share these resources (the caller closes them); {@code null} to let the connection own its own. */
        public Builder resources(ClientResources resources) {
            this.resources = resources;
            return this;
        }

        /** The options. */
        public QmpOptions build() {
            return new QmpOptions(this);
        }

    }
}
