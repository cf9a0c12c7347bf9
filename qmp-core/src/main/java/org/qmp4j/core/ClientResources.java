package org.qmp4j.core;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.qmp4j.core.transport.IoThreads;

/**
 * The threads every connection of a process shares: an I/O event loop group for UNIX sockets, one
 * for TCP (created on first use: a selector serves only channels of its own provider), an
 * executor that delivers events to listeners off the I/O threads, and one timer for every
 * deadline, watchdog and poll of every connection.
 *
 * <p>Create one per process and pass it to every connection through
 * {@link ClientOptions.Builder#resources(ClientResources)}; a few I/O threads serve hundreds of
 * connections. Closing it ends its threads; close the connections first. A connection made
 * without explicit resources creates its own and closes them with itself.
 */
public final class ClientResources implements AutoCloseable {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final int ioThreads;
    private final EventLoopGroup unixGroup;
    private final NotifyingPool eventExecutor;
    private final NotifyingTimer timer;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();
    private volatile EventLoopGroup tcpGroup;
    private boolean closed;

    private ClientResources(int ioThreads) {
        this.ioThreads = ioThreads;
        this.unixGroup = new MultiThreadIoEventLoopGroup(ioThreads, IoThreads.factory("qmp4j-io-unix"),
                NioIoHandler.newFactory(AFUNIXSelectorProvider.provider()));
        this.eventExecutor = new NotifyingPool(IoThreads.daemonFactory("qmp4j-events"));
        // An I/O thread to the blocking check: a blocking call in a callback here would stall every deadline.
        this.timer = new NotifyingTimer(IoThreads.factory("qmp4j-timer"));
    }

    /** A cached thread pool that says when it has terminated, so a close need not wait on a thread. */
    private static final class NotifyingPool extends ThreadPoolExecutor {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        NotifyingPool(ThreadFactory threads) {
            super(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
        }

        @Override
        protected void terminated() {
            done.complete(null);
        }
    }

    /** The one timer thread; says when it has terminated. */
    private static final class NotifyingTimer extends ScheduledThreadPoolExecutor {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        NotifyingTimer(ThreadFactory threads) {
            super(1, threads);
            setRemoveOnCancelPolicy(true); // a command's deadline is cancelled by its reply: don't keep it
            setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // nothing of a closed client is due
        }

        @Override
        protected void terminated() {
            done.complete(null);
        }
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

    /**
     * The one instance of {@code type} that these resources keep for the clients using them, made
     * by {@code factory} on first use: state that the connections of one process share (the QMP
     * client keeps the schemas of the QEMU binaries it has seen here).
     */
    public <T> T shared(Class<T> type, Supplier<? extends T> factory) {
        return type.cast(shared.computeIfAbsent(type, t -> factory.get()));
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
     * Runs {@code task} once after {@code delay}: the one timer of every deadline, watchdog and
     * poll. Scheduled from one of these resources' I/O threads, it runs on that thread's event loop
     * (a command's deadline then costs no hand-off to another thread); from any other thread, on
     * the timer thread. Either way the task must be short and never block: hand blocking work to
     * {@link #eventExecutor()}.
     *
     * @return cancels the task
     * @throws java.util.concurrent.RejectedExecutionException once these resources are closed
     */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        long nanos = Math.max(0, delay.toNanos());
        EventLoop loop = currentLoop();
        if (loop != null) {
            return loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
        }
        return timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /** The event loop of ours that the calling thread runs, or {@code null}. */
    private EventLoop currentLoop() {
        if (!IoThreads.isIoThread()) {
            return null;
        }
        EventLoop loop = loopOf(unixGroup);
        EventLoopGroup tcp = tcpGroup; // read without the lock: a loop of a group seen later is just not found
        return loop != null || tcp == null ? loop : loopOf(tcp);
    }

    private static EventLoop loopOf(EventLoopGroup group) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop() && executor instanceof EventLoop loop) {
                return loop;
            }
        }
        return null;
    }

    private synchronized <T> T checkOpen(T value) {
        if (closed) {
            throw new IllegalStateException("ClientResources is closed");
        }
        return value;
    }

    /**
     * Starts ending the I/O, event and timer threads without waiting for them. Idempotent.
     *
     * @return completes (never exceptionally) once every thread of these resources has ended
     */
    public CompletableFuture<Void> closeAsync() {
        EventLoopGroup tcp;
        synchronized (this) {
            if (closed) {
                return terminated;
            }
            closed = true;
            tcp = tcpGroup;
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        parts.add(shutDown(unixGroup));
        if (tcp != null) {
            parts.add(shutDown(tcp));
        }
        eventExecutor.shutdown();
        timer.shutdown();
        parts.add(eventExecutor.done);
        parts.add(timer.done);
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> terminated.complete(null));
        return terminated;
    }

    private static CompletableFuture<Void> shutDown(EventLoopGroup group) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        group.shutdownGracefully(0, SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .addListener(f -> done.complete(null));
        return done;
    }

    /**
     * Ends the I/O, event and timer threads and waits (up to 5 s) until they are gone; on one of
     * its own I/O threads it does not wait (a thread cannot wait for its own end). Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<Void> closing = closeAsync();
        if (IoThreads.isIoThread()) {
            return;
        }
        try {
            closing.get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a thread that does not end within the wait is a daemon: it cannot keep the JVM alive
        }
    }
}
