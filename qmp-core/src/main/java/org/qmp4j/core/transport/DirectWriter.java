package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.ConnectionState;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.core.WaitInterruptedException;

/**
 * The blocking caller's own way to the socket, all in one place: over a UNIX socket, with nothing
 * queued for the I/O thread, the calling thread encodes, registers and writes its command itself
 * and then waits for the reply with the command's deadline as its own timed wait (no timer task).
 * The reply is still read and routed by the I/O thread, in order with events. Whenever the direct
 * way cannot be taken, {@link #write} says so before anything is registered, and the command goes
 * through the I/O thread as usual.
 */
final class DirectWriter {
    /** Direct writes encode into pooled direct buffers, which junixsocket writes without a copy. */
    private static final ByteBufAllocator DIRECT_BUFFERS = PooledByteBufAllocator.DEFAULT;

    /** What the writer needs from its connection. */
    interface Host {
        /** Whether Netty has no write queued that this one would overtake. */
        boolean nothingQueued();

        /** Ends the connection after a failed write. */
        void failConnection(Throwable cause);

        /** Runs {@code task} on the channel's event loop. */
        void onEventLoop(Runnable task);

        /** Runs {@code task} after {@code delay} (on a timer when called off the I/O threads). */
        Future<?> schedule(Runnable task, Duration delay);
    }

    private final AfUnixChannel socket;
    private final InFlightHandler inFlight;
    private final ConnectionStatus status;
    private final String peerName;
    private final Host host;
    private final BooleanSupplier mayWrite;

    DirectWriter(AfUnixChannel socket, InFlightHandler inFlight, ConnectionStatus status, String peerName, Host host) {
        this.socket = socket;
        this.inFlight = inFlight;
        this.status = status;
        this.peerName = peerName;
        this.host = host;
        this.mayWrite = () -> host.nothingQueued() && inFlight.accepting();
    }

    /**
     * Makes this thread's cache of pooled direct buffers, if it has none yet, by taking and
     * returning one: an I/O thread's first direct write would otherwise build it (tens of
     * arrays and queues, cold code) in the middle of that write.
     */
    static void prepareThread() {
        DIRECT_BUFFERS.directBuffer(256).release();
    }

    /**
     * Registers {@code outbound} and writes it from this thread. False, with nothing registered,
     * when it must go through the I/O thread instead.
     *
     * @throws InvalidArgumentsException if the arguments cannot be encoded (nothing was sent)
     * @throws ConnectionClosedException if the write failed (the connection is ended)
     */
    boolean write(OutboundCommand outbound) {
        outbound.assignId(inFlight.registry().nextId());
        ByteBuf bytes;
        try {
            bytes = InFlightHandler.encode(DIRECT_BUFFERS, outbound, outbound.id());
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentsException(outbound.name() + ": cannot encode arguments: " + e.getMessage(), e);
        }
        try {
            if (!writeRegistered(outbound, bytes)) {
                return false;
            }
        } finally {
            bytes.release();
        }
        if (!socket.isActive() && abandon(outbound)) {
            // the socket closed around the write: the close may have run before this one registered
            outbound.fail(new ConnectionClosedException(outbound.name() + ": connection closed"));
        }
        return true;
    }

    private boolean writeRegistered(OutboundCommand outbound, ByteBuf bytes) {
        if (!AfUnixChannel.takesDirect(bytes.readableBytes())) {
            return false; // checked before registering, which would otherwise have to be undone
        }
        inFlight.registry().add(outbound); // before the write: the reply may come at once
        // Checked after registering: a close that began earlier is seen here, a later one waits for this command.
        if (status.get() != ConnectionState.READY) {
            abandon(outbound);
            return false; // the normal path refuses it with the reason
        }
        boolean written;
        try {
            written = socket.writeDirect(bytes.nioBuffer(), mayWrite);
        } catch (IOException e) {
            abandon(outbound);
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            ConnectionClosedException failure = new ConnectionClosedException(outbound.name() + ": cannot write to "
                    + peerName + ": " + why, e);
            // The socket is broken, and junixsocket may have closed it without Netty noticing: end it properly.
            host.failConnection(failure);
            throw failure;
        }
        if (!written) {
            abandon(outbound);
        }
        return written;
    }

    /**
     * Arms the deadline of a command {@link #write} wrote whose caller does not wait for it: the
     * timer thread fails it when its time is up. A reply that came first left nothing to fail.
     */
    void armDeadline(OutboundCommand outbound) {
        Runnable expire = () -> {
            if (abandon(outbound)) {
                outbound.fail(new CommandTimeoutException(outbound.name(), outbound.timeout()));
            }
        };
        try {
            outbound.timeoutTask(host.schedule(expire, outbound.timeout()));
        } catch (RejectedExecutionException e) { // the resources were closed under a live connection
            if (abandon(outbound)) {
                outbound.fail(new ConnectionClosedException(outbound.name() + ": the client's resources are closed", e));
            }
        }
        if (outbound.result().isDone()) {
            outbound.cancelTimer(); // completed before its timer was set: the timer must not outlive it
        }
    }

    /** Waits for a command {@link #write} wrote: the caller's wait is its deadline timer. */
    JsonNode awaitReply(OutboundCommand outbound, long deadlineNanos) {
        Qmp4jException failure;
        try {
            return Blocking.await(outbound.result(), deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            failure = new CommandTimeoutException(outbound.name(), outbound.timeout());
        } catch (WaitInterruptedException e) {
            failure = e;
        }
        if (!abandon(outbound)) {
            return Blocking.await(outbound.result()); // completed meanwhile by its reply or the close
        }
        outbound.fail(failure); // its late reply will find no command and be dropped
        throw failure;
    }

    /**
     * Takes back a command this thread registered itself; true if it was still waiting. A
     * graceful close may be waiting for it: it is told.
     */
    private boolean abandon(OutboundCommand outbound) {
        boolean removed = inFlight.registry().remove(outbound.id()) != null;
        if (removed && status.get() != ConnectionState.READY) {
            host.onEventLoop(inFlight::closeIfIdle);
        }
        return removed;
    }
}
