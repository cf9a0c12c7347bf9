package org.qmp4j.qmp.internal;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    /** Wraps an already connected, non-blocking socket channel. */
    AfUnixChannel(AFUNIXSocketChannel connected) {
        super(connected);
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }
}
