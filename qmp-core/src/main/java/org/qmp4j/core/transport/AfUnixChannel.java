package org.qmp4j.core.transport;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A Netty NIO channel over junixsocket's UNIX socket channel: the one route on the JVM that sends
 * a file descriptor together with exactly the bytes of the command that needs it.
 */
final class AfUnixChannel extends NioSocketChannel implements FdPassingChannel {
    /** Bound on the reads that drain a hung-up socket: each reads up to 16 buffers. */
    private static final int MAX_DRAIN_ROUNDS = 4096;
    /**
     * Whether blocking callers may write directly: on Linux, where a UNIX stream write of at most
     * {@link #MAX_DIRECT_BYTES} goes into the socket as one buffer, so a full socket takes all of
     * it or none and a refused direct write leaves nothing behind. (BSD kernels may take part.)
     */
    static final boolean DIRECT_WRITES =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    /** Largest message written directly. */
    private static final int MAX_DIRECT_BYTES = 4096;
    /** How long a direct writer that got part of a message out waits for the peer to take the rest. */
    private static final long PARTIAL_WRITE_PATIENCE_NANOS = 10_000_000;
    /** Pause between tries while it waits. */
    private static final long FULL_BUFFER_PAUSE_NANOS = 100_000;

    /** Held by whoever writes to the socket: the I/O thread, or a caller writing directly. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Set when the I/O thread found the socket busy with a direct write and left its bytes queued. */
    private volatile boolean flushDeferred;

    /** Wraps an already connected, non-blocking socket channel. */
    AfUnixChannel(AFUNIXSocketChannel connected) {
        super(connected);
    }

    /**
     * Attaches {@code fds} to the next bytes written. I/O thread only. Waits for a direct write
     * under way, so that it cannot carry them off (none starts afterwards: a command with
     * descriptors counts as queued until written), and first writes whatever such a write had
     * made the I/O thread leave queued, so that they go with the command's own bytes only.
     */
    @Override
    public void setOutboundFileDescriptors(FileDescriptor[] fds) throws IOException {
        writeLock.lock();
        try {
            flush();
            ((AFUNIXSocketChannel) javaChannel()).setOutboundFileDescriptors(fds);
        } finally {
            writeLock.unlock();
        }
    }

    /** Whether a message of {@code length} bytes may be written directly on this system. */
    static boolean takesDirect(int length) {
        return DIRECT_WRITES && length <= MAX_DIRECT_BYTES;
    }

    /**
     * Writes {@code bytes} to the socket from the calling thread, which spares a blocking call
     * the hand-off to the I/O thread and its wake-up. Writes nothing and returns false when the
     * socket is not free for it: another writer holds it, {@code mayWrite} says no (the I/O
     * thread has writes queued that must go first, or the connection is closing), the message
     * fails {@link #takesDirect}, the peer's buffer is full, or the calling thread is
     * interrupted (an interrupt inside a channel write closes the channel, so such a thread must
     * not start one). Should part of a message go out anyway, it waits briefly for the rest.
     *
     * @throws PartialWriteException when the peer did not take the rest of a message in time
     * @throws IOException when the socket failed (junixsocket may have closed it: the caller must
     *         end the connection)
     */
    boolean writeDirect(ByteBuffer bytes, BooleanSupplier mayWrite) throws IOException {
        if (!takesDirect(bytes.remaining()) || Thread.currentThread().isInterrupted() || !writeLock.tryLock()) {
            return false;
        }
        try {
            if (!mayWrite.getAsBoolean() || !isActive()) {
                return false;
            }
            WritableByteChannel socket = javaChannel();
            int total = bytes.remaining();
            if (socket.write(bytes) == 0) {
                return false;
            }
            long giveUp = System.nanoTime() + PARTIAL_WRITE_PATIENCE_NANOS;
            while (bytes.hasRemaining()) { // not expected on Linux for a message this small: a safety net
                if (socket.write(bytes) == 0) {
                    if (System.nanoTime() - giveUp >= 0) {
                        throw new PartialWriteException(total - bytes.remaining(), total);
                    }
                    LockSupport.parkNanos(FULL_BUFFER_PAUSE_NANOS);
                }
            }
            return true;
        } finally {
            writeLock.unlock();
            if (flushDeferred) {
                flushDeferred = false;
                try {
                    eventLoop().execute(this::flush);
                } catch (RejectedExecutionException e) {
                    // the loop is gone and the channel with it
                }
            }
        }
    }

    /** The peer stopped reading in the middle of a direct write: the stream now holds half a message. */
    static final class PartialWriteException extends IOException {
        private static final long serialVersionUID = 1L;

        PartialWriteException(int written, int total) {
            super("the peer stopped reading: wrote " + written + " of " + total + " bytes");
        }
    }

    /**
     * Netty's write, but never at the same time as a direct write: if one is under way, the bytes
     * stay queued and the direct writer flushes them when it is done.
     */
    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (!writeLock.tryLock()) {
            flushDeferred = true;
            if (!writeLock.tryLock()) { // checked again: the writer may have finished meanwhile
                return;
            }
        }
        try {
            super.doWrite(in);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Closes the socket, never while a direct write is under way: junixsocket frees the
     * descriptor at once, and a write still holding its number could reach whatever file is
     * opened next under it.
     */
    @Override
    protected void doClose() throws Exception {
        writeLock.lock();
        try {
            super.doClose();
        } finally {
            writeLock.unlock();
        }
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
