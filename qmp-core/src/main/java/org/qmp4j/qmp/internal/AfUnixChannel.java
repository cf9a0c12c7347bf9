package org.qmp4j.qmp.internal;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    AfUnixChannel() {
        super(open());
    }

    private static AFUNIXSocketChannel open() {
        try {
            return AFUNIXSocketChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UNIX socket channel", e);
        }
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }
}
