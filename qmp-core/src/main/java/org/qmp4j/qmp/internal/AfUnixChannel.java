package org.qmp4j.qmp.internal;

import io.netty.channel.nio.AbstractNioChannel;
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
    /** Enough reads to drain a socket buffer; each stops early when nothing is left. */
    private static final int MAX_DRAIN_READS = 64;

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
