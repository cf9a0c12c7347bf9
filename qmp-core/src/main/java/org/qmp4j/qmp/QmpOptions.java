package org.qmp4j.qmp;

import java.nio.file.Path;
import java.util.Optional;
import org.qmp4j.core.ClientOptions;
import org.qmp4j.core.Endpoint;

/**
 * Immutable settings of one QMP connection: the shared ones of {@link ClientOptions} (endpoint,
 * deadlines, frame cap, resources), whether to negotiate out-of-band execution, and where schemas
 * are kept between processes. The connect deadline covers connect + greeting + negotiation. Build
 * with {@link #builder(Endpoint)} or {@link #unix(Path)}.
 */
public final class QmpOptions extends ClientOptions {
    private final boolean enableOob;
    private final Path schemaCacheDirectory;

    private QmpOptions(Builder b) {
        super(b);
        this.enableOob = b.enableOob;
        this.schemaCacheDirectory = b.schemaCacheDirectory;
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

    /** Where schemas read from QEMU are kept for other processes, if anywhere ({@link Builder#schemaCacheDirectory}). */
    public Optional<Path> schemaCacheDirectory() {
        return Optional.ofNullable(schemaCacheDirectory);
    }

    /** Builder of {@link QmpOptions}. */
    public static final class Builder extends ClientOptions.Builder<Builder, QmpOptions> {
        private boolean enableOob;
        private Path schemaCacheDirectory;

        private Builder(Endpoint endpoint) {
            super(endpoint);
        }

        private Builder(QmpOptions from) {
            super(from.endpoint());
            sharedFrom(from);
            this.enableOob = from.enableOob;
            this.schemaCacheDirectory = from.schemaCacheDirectory;
        }

        /** Ask for out-of-band execution when QEMU offers it (default false). */
        public Builder enableOob(boolean enable) {
            this.enableOob = enable;
            return this;
        }

        /**
         * Also keep the schema in a file under {@code directory} (made when missing), for the next
         * process that connects to the same QEMU binary: it then reads the file instead of
         * {@code query-qmp-schema}, which QEMU takes tens of milliseconds to produce and is over
         * 200 KiB. A file is keyed and checked like {@link org.qmp4j.core.ClientResources}'
         * in-memory schemas: by the greeting's version and package and the set of the binary's
         * commands ({@code query-commands}); a file that does not match, or cannot be read, is
         * replaced. Default: no files ({@code null}).
         */
        public Builder schemaCacheDirectory(Path directory) {
            this.schemaCacheDirectory = directory;
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
