package org.qmp4j.qmp;

import java.nio.file.Path;
import org.qmp4j.core.ClientOptions;
import org.qmp4j.core.Endpoint;

/**
 * Immutable settings of one QMP connection: the shared ones of {@link ClientOptions} (endpoint,
 * deadlines, frame cap, resources) and whether to negotiate out-of-band execution. The connect
 * deadline covers connect + greeting + negotiation. Build with {@link #builder(Endpoint)} or
 * {@link #unix(Path)}.
 */
public final class QmpOptions extends ClientOptions {
    private final boolean enableOob;

    private QmpOptions(Builder b) {
        super(b);
        this.enableOob = b.enableOob;
    }

    /** A builder for a connection to {@code endpoint}, with the defaults. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(endpoint);
    }

    /** Defaults for the QMP socket at {@code socket}. */
    public static QmpOptions unix(Path socket) {
        return builder(Endpoint.unix(socket)).build();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether to ask for out-of-band execution ({@code oob}) when QEMU offers it. */
    public boolean enableOob() {
        return enableOob;
    }

    /** Builder of {@link QmpOptions}. */
    public static final class Builder extends ClientOptions.Builder<Builder, QmpOptions> {
        private boolean enableOob;

        private Builder(Endpoint endpoint) {
            super(endpoint);
        }

        private Builder(QmpOptions from) {
            super(from.endpoint());
            sharedFrom(from);
            this.enableOob = from.enableOob;
        }

        /** Ask for out-of-band execution when QEMU offers it (default false). */
        public Builder enableOob(boolean enable) {
            this.enableOob = enable;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public QmpOptions build() {
            return new QmpOptions(this);
        }
    }
}
