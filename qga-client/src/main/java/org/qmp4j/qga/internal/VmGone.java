package org.qmp4j.qga.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.qmp4j.core.Endpoint;

/**
 * Whether the VM behind an agent's UNIX socket has ended: QEMU serves the agent channel
 * ({@code server=on}), so a socket file that is gone, or that nobody listens on any more, means
 * its QEMU has exited, and a guest that no longer runs cannot be frozen. A thaw that failed for
 * such a VM is then no reason to warn that a guest may still be frozen.
 */
final class VmGone {
    private VmGone() {
    }

    /** Why the VM behind {@code agent} is known to have ended; empty if it may still run. */
    static Optional<String> check(Endpoint agent) {
        if (!(agent instanceof Endpoint.Unix unix)) {
            return Optional.empty(); // over TCP a refusal says nothing about QEMU
        }
        Path socket = unix.path();
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("its agent socket " + socket + " is gone");
        }
        // a UNIX connect is answered at once: accepted into the backlog, or refused
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return Optional.empty(); // something listens: the VM may run
        } catch (ConnectException e) {
            return Optional.of("nobody listens on its agent socket " + socket + " any more");
        } catch (IOException e) {
            return Optional.empty(); // unknown: keep the warning
        }
    }
}
