package org.qmp4j.core;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.qmp4j.core.transport.IoThreads;
import org.qmp4j.qmp.QmpOptions;

/**
 * The threads every connection of a process shares: an I/O event loop group for UNIX sockets, one
 * for TCP (created on first use: a selector serves only channels of its own provider), an
 * executor that delivers events to listeners off the I/O threads, and one timer for every
 * deadline, watchdog and poll of every connection.
 *
 * <p>Create one per process and pass it to every connection through
 * {@link QmpOptions.Builder#resources(ClientResources)}; a few I/O threads serve hundreds of
 * connections. Closing it ends its threads; close the connections first. A connection made
 * without explicit resources creates its own and closes them with itself.
 */
public final class ClientResources implements AutoCloseable {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final int ioThreads;
    private final EventLoopGroup unixGroup;
    private final ExecutorService eventExecutor;
    private final ScheduledThreadPoolExecutor timer;
    private EventLoopGroup tcpGroup;
    private boolean closed;

    private ClientResources(int ioThreads) {
        this.ioThreads = ioThreads;
        this.unixGroup = new MultiThreadIoEventLoopGroup(ioThreads, IoThreads.factory("qmp4j-io-unix"),
                NioIoHandler.newFactory(AFUNIXSelectorProvider.provider()));
        this.eventExecutor = Executors.newCachedThreadPool(IoThreads.daemonFactory("qmp4j-events"));
        this.timer = new ScheduledThreadPoolExecutor(1, IoThreads.daemonFactory("qmp4j-timer"));
        timer.setRemoveOnCancelPolicy(true); // a command's deadline is cancelled by its reply: don't keep it
    }

    /** Resources with {@link #defaultIoThreads()} I/O threads. */
    public static ClientResources create() {
        return create(defaultIoThreads());
    }

    /** Resources with this many I/O threads per transport. */
    public static ClientResources create(int ioThreads) {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
        }
        return new ClientResources(ioThreads);
    }

    /** The default number of I/O threads: QMP traffic is light, so at most two. */
    public static int defaultIoThreads() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    /** The event loop group for UNIX-socket channels. */
    public EventLoopGroup unixGroup() {
        return checkOpen(unixGroup);
    }

    /** The event loop group for TCP channels, created on first use. */
    public synchronized EventLoopGroup tcpGroup() {
        if (tcpGroup == null) {
            checkOpen(unixGroup);
            tcpGroup = new MultiThreadIoEventLoopGroup(ioThreads, IoThreads.factory("qmp4j-io-tcp"),
                    NioIoHandler.newFactory());
        }
        return tcpGroup;
    }

    /** The executor that runs event listeners and other callbacks that must not run on I/O threads. */
    public ExecutorService eventExecutor() {
        return eventExecutor;
    }

    /**
     * Runs {@code task} once after {@code delay} on the shared timer thread. The task must be short
     * and never block (it delays every other timer): hand blocking work to {@link #eventExecutor()}.
     *
     * @return cancels the task
     * @throws java.util.concurrent.RejectedExecutionException once these resources are closed
     */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    private synchronized <T> T checkOpen(T value) {
        if (closed) {
            throw new IllegalStateException("ClientResources is closed");
        }
        return value;
    }

    /** Ends the I/O, event and timer threads and waits (up to 5 s) until they are gone. Idempotent. */
    @Override
    public void close() {
        EventLoopGroup tcp;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            tcp = tcpGroup;
        }
        unixGroup.shutdownGracefully(0, SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (tcp != null) {
            tcp.shutdownGracefully(0, SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        eventExecutor.shutdown();
        timer.shutdownNow();
        if (IoThreads.isIoThread()) {
            return; // cannot wait for our own thread to end
        }
        boolean interrupted = false;
        try {
            unixGroup.terminationFuture().await(SHUTDOWN_WAIT.toMillis());
            if (tcp != null) {
                tcp.terminationFuture().await(SHUTDOWN_WAIT.toMillis());
            }
            eventExecutor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            timer.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
