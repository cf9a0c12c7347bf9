package org.qmp4j.qmp.internal;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.SocketAddress;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 *
 * <p>The socket is connected before Netty registers it with the selector: junixsocket's selector
 * reports a registered but unconnected UNIX socket as hung up (the kernel's {@code POLLHUP}),
 * and Netty then closes the channel, so a select that ran between registration and Netty's own
 * connect task would kill the connection before it started.
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    private AfUnixChannel(AFUNIXSocketChannel channel) {
        super(channel);
    }

    /**
     * Opens a socket and connects it to {@code address} without blocking (a UNIX socket connects
     * at once or fails at once).
     *
     * @throws IOException if the socket cannot be opened or the connect fails (no such socket,
     *         nobody listening)
     */
    static AfUnixChannel connectedTo(AFUNIXSocketAddress address) throws IOException {
        AFUNIXSocketChannel channel = AFUNIXSocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.connect(address);
            return new AfUnixChannel(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (javaChannel().isConnected()) {
            return true; // connected before registration, see the class comment
        }
        return super.doConnect(remoteAddress, localAddress);
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }
}
