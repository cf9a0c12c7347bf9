package org.qmp4j.qmp.internal;

import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.qmp4j.qmp.ConnectionFailedException;
import org.qmp4j.qmp.Endpoint;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 *
 * <p>junixsocket's selector cancels a key whose socket polls as hung up, and Netty closes a
 * channel whose key was cancelled. An unconnected UNIX stream socket polls as hung up, so the
 * socket is connected before Netty ever registers it ({@link #connectNow}).
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    /** Enough reads to drain a socket buffer; each stops early when nothing is left. */
    private static final int MAX_DRAIN_READS = 64;

    /** Wraps a socket made by {@link #connectNow}. */
    AfUnixChannel(AFUNIXSocketChannel socket) {
        super(socket);
    }

    /**
     * Opens a non-blocking socket and connects it at once (a UNIX connect completes or fails
     * without waiting, unless the listener's backlog is full; then the connect stays pending and
     * Netty finishes it).
     *
     * @throws ConnectionFailedException if the socket cannot be reached
     */
    static AFUNIXSocketChannel connectNow(SocketAddress address, Endpoint endpoint) {
        AFUNIXSocketChannel socket = null;
        try {
            socket = AFUNIXSocketChannel.open();
            socket.configureBlocking(false);
            socket.connect(address);
            return socket;
        } catch (IOException e) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new ConnectionFailedException("cannot connect to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (javaChannel().isConnected()) {
            return true; // connected by connectNow
        }
        if (javaChannel().isConnectionPending()) {
            selectionKey().interestOps(SelectionKey.OP_CONNECT);
            return false;
        }
        return super.doConnect(remoteAddress, localAddress);
    }

    @Override
    protected AbstractNioChannel.AbstractNioUnsafe newUnsafe() {
        return new DrainingUnsafe();
    }

    /**
     * junixsocket's selector cancels the key as soon as the peer hangs up, even when bytes the
     * peer sent just before are still unread, and Netty closes a channel whose key is invalid
     * without reading. QEMU does exactly that after {@code quit}: reply, then close. So read what
     * is left before closing; a closed or empty socket ends the reads at once.
     */
    private final class DrainingUnsafe extends NioByteUnsafe {
        @Override
        public void close() {
            for (int i = 0; i < MAX_DRAIN_READS && isActive(); i++) {
                read();
            }
            super.close();
        }
    }
}
