package org.qmp4j.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a QMP or agent socket listens: a UNIX socket path (the usual case, and the only one that
 * can pass file descriptors) or a TCP host and port.
 */
public sealed interface Endpoint permits Endpoint.Unix, Endpoint.Tcp {

    /** A UNIX socket at {@code path}. */
    static Endpoint unix(Path path) {
        return new Unix(path);
    }

    /** A TCP socket at {@code host:port}. */
    static Endpoint tcp(String host, int port) {
        return new Tcp(host, port);
    }

    /**
     * Parses the CLI form: {@code tcp:HOST:PORT}, {@code unix:PATH}, or a plain path.
     *
     * @throws IllegalArgumentException if a {@code tcp:} address has no valid port
     */
    static Endpoint parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.startsWith("tcp:")) {
            String rest = spec.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon <= 0 || colon == rest.length() - 1) {
                throw new IllegalArgumentException("expected tcp:HOST:PORT, got " + spec);
            }
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return tcp(host, Integer.parseInt(rest.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected tcp:HOST:PORT, got " + spec, e);
            }
        }
        if (spec.startsWith("unix:")) {
            return unix(Path.of(spec.substring(5)));
        }
        return unix(Path.of(spec));
    }

    /** A UNIX socket endpoint. */
    record Unix(Path path) implements Endpoint {
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** A TCP endpoint. */
    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        @Override
        public String toString() {
            return "tcp:" + host + ":" + port;
        }
    }
}
