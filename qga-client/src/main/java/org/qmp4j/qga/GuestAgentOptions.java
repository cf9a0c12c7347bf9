package org.qmp4j.qga;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.qmp4j.core.Checks;
import org.qmp4j.core.ClientOptions;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;

/**
 * Immutable settings of a guest agent connection: the shared ones of {@link ClientOptions} (the
 * command deadline is that of commands without a deadline of their own) and the agent's own. The
 * agent socket is the host end of the {@code org.qemu.guest_agent.0} channel (a
 * {@code -chardev socket,server=on}).
 */
public final class GuestAgentOptions extends ClientOptions {
    /**
     * Default cap of one message from the agent: what it can legitimately send and no more (libvirt
     * caps agent replies at the same 10 MiB). A reply over it fails its command, not the connection.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = 10 * 1024 * 1024;

    /** System property that, set to {@code false}, makes {@link #thawGuardian()} default to off. */
    public static final String THAW_GUARDIAN_PROPERTY = "qmp4j.thawGuardian";

    private final Duration syncTimeout;
    private final Duration pingTimeout;
    private final Duration thawTimeout;
    private final QmpClient qmp;
    private final String chardevId;
    private final boolean syncOnConnect;
    private final boolean thawGuardian;

    private GuestAgentOptions(Builder b) {
        super(b);
        this.syncTimeout = b.syncTimeout;
        this.pingTimeout = b.pingTimeout;
        this.thawTimeout = b.thawTimeout;
        this.qmp = b.qmp;
        this.chardevId = b.chardevId;
        this.syncOnConnect = b.syncOnConnect;
        this.thawGuardian = b.thawGuardian;
    }

    /** A builder holding every setting of these options. */
    public Builder toBuilder() {
        Builder b = new Builder(endpoint()).copyShared(this);
        b.syncTimeout = syncTimeout;
        b.pingTimeout = pingTimeout;
        b.thawTimeout = thawTimeout;
        b.qmp = qmp;
        b.chardevId = chardevId;
        b.syncOnConnect = syncOnConnect;
        b.thawGuardian = thawGuardian;
        return b;
    }

    /** A builder for the agent socket at {@code endpoint}, with the defaults. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(endpoint);
    }

    /** Defaults for the agent socket at {@code socket}. */
    public static GuestAgentOptions unix(Path socket) {
        return builder(Endpoint.unix(socket)).build();
    }

    /** Deadline for the socket connect; the sync on connect has its own ({@link #syncTimeout()}) after it. */
    @Override
    public Duration connectTimeout() {
        return super.connectTimeout();
    }

    /** Presence deadline: how long a resynchronisation may take before the agent counts as absent. */
    public Duration syncTimeout() {
        return syncTimeout;
    }

    /** Deadline of {@code guest-ping}. */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    /** Deadline of one thaw attempt. */
    public Duration thawTimeout() {
        return thawTimeout;
    }

    /** The VM's QMP connection, used to see whether the agent channel is open in the guest. */
    public Optional<QmpClient> qmp() {
        return Optional.ofNullable(qmp);
    }

    /** The agent chardev's id; when absent it is found by the socket path in {@code query-chardev}. */
    public Optional<String> chardevId() {
        return Optional.ofNullable(chardevId);
    }

    /**
     * Whether connecting waits for the agent to answer (default). When false, connecting only
     * opens the socket and the first command synchronises instead: useful when the agent may
     * come later, e.g. while the guest boots.
     */
    public boolean syncOnConnect() {
        return syncOnConnect;
    }

    /**
     * Whether every freeze is guarded by the thaw guardian (default, unless the system property
     * {@value #THAW_GUARDIAN_PROPERTY} is {@code false}): a small separate process,
     * started once per JVM, that thaws the guest if this process dies while the freeze is armed.
     * A freeze that cannot be guarded fails as a {@link FreezeException}. Off, only this
     * process's watchdog protects the guest.
     */
    public boolean thawGuardian() {
        return thawGuardian;
    }

    /** Builder of {@link GuestAgentOptions}. */
    public static final class Builder extends ClientOptions.Builder<Builder, GuestAgentOptions> {
        private Duration syncTimeout = Duration.ofSeconds(3);
        private Duration pingTimeout = Duration.ofSeconds(3);
        private Duration thawTimeout = Duration.ofSeconds(5);
        private QmpClient qmp;
        private String chardevId;
        private boolean syncOnConnect = true;
        private boolean thawGuardian = !"false".equalsIgnoreCase(System.getProperty(THAW_GUARDIAN_PROPERTY));

        private Builder(Endpoint endpoint) {
            super(endpoint);
            maxFrameBytes(DEFAULT_MAX_FRAME_BYTES);
        }

        private Builder copyShared(GuestAgentOptions options) {
            return sharedFrom(options);
        }

        /** Presence deadline (default 3 s). */
        public Builder syncTimeout(Duration d) {
            this.syncTimeout = Checks.positive(d, "syncTimeout");
            return this;
        }

        /** Ping deadline (default 3 s). */
        public Builder pingTimeout(Duration d) {
            this.pingTimeout = Checks.positive(d, "pingTimeout");
            return this;
        }

        /** Deadline of one thaw attempt (default 5 s). */
        public Builder thawTimeout(Duration d) {
            this.thawTimeout = Checks.positive(d, "thawTimeout");
            return this;
        }

        /** The VM's QMP connection, to check the agent channel's {@code frontend-open}. */
        public Builder qmp(QmpClient qmp) {
            this.qmp = qmp;
            return this;
        }

        /** The agent chardev's id (otherwise found by socket path). */
        public Builder chardevId(String chardevId) {
            this.chardevId = chardevId;
            return this;
        }

        /** Whether connecting waits for the agent to answer (default true). */
        public Builder syncOnConnect(boolean sync) {
            this.syncOnConnect = sync;
            return this;
        }

        /** Whether freezes are guarded by the thaw guardian process (default true). */
        public Builder thawGuardian(boolean guard) {
            this.thawGuardian = guard;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public GuestAgentOptions build() {
            return new GuestAgentOptions(this);
        }
    }
}
