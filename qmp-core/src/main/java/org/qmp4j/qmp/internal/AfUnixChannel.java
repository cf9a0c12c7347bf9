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
    /** Bound on the reads that drain a hung-up socket: each reads up to 16 buffers. */
    private static final int MAX_DRAIN_ROUNDS = 4096;

    /** Wraps an already connected, non-blocking socket channel. */
    AfUnixChannel(AFUNIXSocketChannel connected) {
        super(connected);
    }

    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
    }

    @Override
    protected AbstractNioUnsafe newUnsafe() {
        return new DrainingUnsafe();
    }

    /**
     * junixsocket's selector marks a key invalid as soon as poll() reports POLLHUP, and Netty then
     * closes the channel at once, dropping whatever the peer wrote just before it hung up (QEMU's
     * reply to {@code quit}, the SHUTDOWN event). This unsafe reads the socket to its end first.
     */
    private final class DrainingUnsafe extends NioByteUnsafe {
        @Override
        public void close() {
            for (int i = 0; i < MAX_DRAIN_ROUNDS && isOpen(); i++) {
                try {
                    read(); // reads what is buffered; at EOF it closes the channel itself
                } catch (RuntimeException e) {
                    break;
                }
            }
            if (isOpen()) {
                super.close();
            }
        }
    }
}
