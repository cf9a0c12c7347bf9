package org.qmp4j.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What every qmp4j connection is configured with, whichever protocol it speaks: where to connect,
 * the connect and command deadlines, the frame cap and the shared resources. Written once here, with
 * its defaults and checks; {@code QmpOptions} and {@code GuestAgentOptions} add their own settings.
 * Immutable.
 */
public abstract class ClientOptions {
    /** Default deadline for connecting, greeting and negotiation (or the agent's socket connect). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default deadline of a command. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Default cap of one message from the peer. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** The smallest frame cap that still fits a greeting and an error reply. */
    public static final int MIN_FRAME_BYTES = 1024;

    private final Endpoint endpoint;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final int maxFrameBytes;
    private final ClientResources resources;

    /** Takes the shared settings from {@code builder}. */
    protected ClientOptions(Builder<?, ?> builder) {
        this.endpoint = builder.endpoint;
        this.connectTimeout = builder.connectTimeout;
        this.commandTimeout = builder.commandTimeout;
        this.maxFrameBytes = builder.maxFrameBytes;
        this.resources = builder.resources;
    }

    /** Where to connect. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Deadline for the connection to be ready (see each protocol for what that includes). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Default deadline of a command; a call may set its own with {@link CommandOptions}. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** Cap of one message from the peer; a longer one ends the connection with a protocol error. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Shared resources, or empty when the connection makes (and closes) its own. */
    public Optional<ClientResources> resources() {
        return Optional.ofNullable(resources);
    }

    /**
     * The shared part of the builders.
     *
     * @param <B> the concrete builder, so that chained calls keep its own methods
     * @param <O> the options it builds
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends ClientOptions> {
        private final Endpoint endpoint;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private ClientResources resources;

        /** A builder for a connection to {@code endpoint}. */
        protected Builder(Endpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        }

        /** Takes every shared setting of {@code options} (for {@code toBuilder}). */
        protected B sharedFrom(ClientOptions options) {
            this.connectTimeout = options.connectTimeout;
            this.commandTimeout = options.commandTimeout;
            this.maxFrameBytes = options.maxFrameBytes;
            this.resources = options.resources;
            return self();
        }

        /** Deadline for the connection to be ready (default 5 s). */
        public B connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive(timeout, "connectTimeout");
            return self();
        }

        /** Default command deadline (default 5 s). */
        public B commandTimeout(Duration timeout) {
            this.commandTimeout = Checks.positive(timeout, "commandTimeout");
            return self();
        }

        /** Cap of one message from the peer (default 16 MiB, at least 1 KiB). */
        public B maxFrameBytes(int bytes) {
            if (bytes < MIN_FRAME_BYTES) {
                throw new IllegalArgumentException("maxFrameBytes must be at least " + MIN_FRAME_BYTES + ": " + bytes);
            }
            this.maxFrameBytes = bytes;
            return self();
        }

        /** Shared resources (the caller closes them); without, the connection makes and closes its own. */
        public B resources(ClientResources resources) {
            this.resources = resources;
            return self();
        }

        /** This builder, as its own type. */
        protected abstract B self();

        /** The options. */
        public abstract O build();
    }
}
