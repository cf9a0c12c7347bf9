package org.qmp4j.qga.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qga.GuestAgentAbsentException;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.ChardevInfo;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.internal.Replies;

/**
 * Whether an agent can answer at all, from the host side: with a QMP connection, QEMU's
 * {@code query-chardev} says whether the guest opened the agent's channel (writes to the socket
 * succeed even when nothing reads them in the guest). The sync that must follow is the queue's.
 */
final class AgentPresence {
    private AgentPresence() {
    }

    /** Absent at once if the guest has not opened the agent channel; done when there is no QMP to ask. */
    static CompletableFuture<Void> checkChannelOpen(GuestAgentOptions options) {
        if (options.qmp().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        QmpClient qmp = options.qmp().get();
        return qmp.executeAsync("query-chardev").thenAccept(reply -> {
            List<ChardevInfo> chardevs = Json.decode("query-chardev", reply, Replies::chardevs);
            ChardevInfo agent = null;
            for (ChardevInfo c : chardevs) {
                if (matches(c, options)) {
                    agent = c;
                }
            }
            if (agent == null) {
                throw new GuestAgentAbsentException("no chardev for the agent socket " + options.endpoint()
                        + " in query-chardev" + options.chardevId().map(id -> " (id " + id + ")").orElse(""), null);
            }
            if (!agent.frontendOpen()) {
                throw new GuestAgentAbsentException("the guest has not opened the agent channel ("
                        + agent.label() + "): no agent runs in the guest", null);
            }
        });
    }

    /** The agent's chardev: by the id given, else by the socket its file name names. */
    static boolean matches(ChardevInfo chardev, GuestAgentOptions options) {
        if (options.chardevId().isPresent()) {
            return options.chardevId().get().equals(chardev.label());
        }
        if (options.endpoint() instanceof Endpoint.Unix unix && chardev.filename() != null) {
            Path socket = socketOf(chardev.filename());
            return socket != null && sameFile(socket, unix.path());
        }
        return false;
    }

    /** The path in {@code unix:PATH[,server=on…]}, also as {@code disconnected:unix:…}; else null. */
    private static Path socketOf(String filename) {
        String f = filename.startsWith("disconnected:") ? filename.substring("disconnected:".length()) : filename;
        if (!f.startsWith("unix:")) {
            return null;
        }
        int options = f.indexOf(',');
        return Path.of(f.substring("unix:".length(), options < 0 ? f.length() : options));
    }

    /** The same path, or (a relative path, a symbolic link) the same socket file. */
    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException | SecurityException e) {
            return false; // one of them is not there: not the same socket
        }
    }
}
