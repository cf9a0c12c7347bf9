package org.qmp4j.qmp.internal;

import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 *
 * <p>It connects while it registers, before its selector can see it. junixsocket's selector
 * closes every channel whose socket polls {@code POLLHUP}, and a stream socket that is not
 * connected yet does: registered unconnected, the channel could be closed by the event loop's
 * next select before Netty's connect task ran (a {@code ClosedChannelException} in about one
 * connect of twenty). Connecting a UNIX socket completes at once, so nothing waits for it.
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    private final SocketAddress remote;
    private IOException connectFailure;

    AfUnixChannel(SocketAddress remote) {
        super(open());
        this.remote = remote;
    }

    private static AFUNIXSocketChannel open() {
        try {
            return AFUNIXSocketChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UNIX socket channel", e);
        }
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        try {
            javaChannel().connect(remote);
        } catch (IOException e) {
            // Reported by doConnect, so that the failure takes Netty's usual path (and cleanup).
            connectFailure = e;
        }
        super.doRegister(promise);
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (connectFailure != null) {
            throw connectFailure;
        }
        if (javaChannel().isConnected()) {
            return true;
        }
        return super.doConnect(remoteAddress, localAddress);
    }

    /**
     * Why the connect made at registration failed, if it did. When it failed, the selector may
     * close the channel before {@link #doConnect} can report it; the connect then fails with a
     * bare {@code ClosedChannelException}, and this is the real reason.
     */
    IOException connectFailure() {
        return connectFailure;
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }
}
