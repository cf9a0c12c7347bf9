package org.qmp4j.core.transport;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories, and the check that keeps blocking calls off the I/O threads. */
public final class IoThreads {
    private IoThreads() {
    }

    /** A thread of a qmp4j I/O event loop. */
    static final class IoThread extends FastThreadLocalThread {
        IoThread(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }
    }

    /** Factory for I/O threads: daemon, recognisable by {@link #isIoThread()}. */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> new IoThread(task, prefix + "-" + n.incrementAndGet());
    }

    /** Factory for plain daemon worker threads. */
    public static ThreadFactory daemonFactory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Whether the calling thread is one of qmp4j's I/O threads. */
    public static boolean isIoThread() {
        return Thread.currentThread() instanceof IoThread;
    }
}
