package org.qmp4j.qga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qmp4j.core.Checks;

/**
 * A program to run in the guest with {@code guest-exec}. Immutable; build with
 * {@link #builder(String)}.
 */
public final class ExecRequest {
    private final String path;
    private final List<String> args;
    private final List<String> env;
    private final byte[] input;
    private final boolean captureOutput;
    private final Duration timeout;

    private ExecRequest(Builder b) {
        this.path = b.path;
        this.args = List.copyOf(b.args);
        this.env = List.copyOf(b.env);
        this.input = b.input == null ? null : b.input.clone();
        this.captureOutput = b.captureOutput;
        this.timeout = b.timeout;
    }

    /** A request to run {@code path} (an absolute path in the guest). */
    public static Builder builder(String path) {
        return new Builder(path);
    }

    /** Shorthand: run {@code path} with {@code args}, capturing output, default timeout. */
    public static ExecRequest of(String path, String... args) {
        return builder(path).args(args).build();
    }

    public String path() {
        return path;
    }

    public List<String> args() {
        return args;
    }

    /** Environment entries, {@code NAME=value}. */
    public List<String> env() {
        return env;
    }

    /** Bytes written to the program's stdin, or {@code null}. */
    public byte[] input() {
        return input == null ? null : input.clone();
    }

    public boolean captureOutput() {
        return captureOutput;
    }

    /** How long to wait for the program to exit. */
    public Duration timeout() {
        return timeout;
    }

    /** Builder of {@link ExecRequest}. */
    public static final class Builder {
        private final String path;
        private final List<String> args = new ArrayList<>();
        private final List<String> env = new ArrayList<>();
        private byte[] input;
        private boolean captureOutput = true;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(String path) {
            this.path = Objects.requireNonNull(path, "path");
        }

        /** Appends arguments. */
        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        /** Appends an environment entry {@code NAME=value}. */
        public Builder env(String entry) {
            this.env.add(Objects.requireNonNull(entry, "entry"));
            return this;
        }

        /** Data for stdin. */
        public Builder input(byte[] input) {
            this.input = input == null ? null : input.clone();
            return this;
        }

        /** Whether to capture stdout and stderr (default true). */
        public Builder captureOutput(boolean capture) {
            this.captureOutput = capture;
            return this;
        }

        /** How long to wait for the exit (default 30 s). */
        public Builder timeout(Duration timeout) {
            Checks.positive(timeout, "timeout");
            this.timeout = timeout;
            return this;
        }

        public ExecRequest build() {
            return new ExecRequest(this);
        }
    }
}
