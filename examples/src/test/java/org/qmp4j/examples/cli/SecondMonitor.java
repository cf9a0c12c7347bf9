package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.QemuProcess;

/**
 * Drives QEMU through its second QMP monitor while the CLI holds the first one (a QMP socket
 * serves one client at a time).
 */
final class SecondMonitor implements AutoCloseable {
    private static final Duration PAUSE = Duration.ofMillis(50);

    private final QmpClient client;

    private SecondMonitor(QmpClient client) {
        this.client = client;
    }

    /** Connects to {@code qemu}'s second monitor. */
    static SecondMonitor connect(QemuProcess qemu) {
        return new SecondMonitor(QmpClient.connect(qemu.secondQmpSocket()));
    }

    /** The client on the second monitor. */
    QmpClient client() {
        return client;
    }

    /**
     * Waits until a client is connected to the monitor at {@code socket}: QEMU names a socket
     * chardev without a client {@code disconnected:...} in {@code query-chardev}.
     */
    void awaitClientOn(Path socket, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!clientConnected(socket)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no client connected to " + socket + " within " + limit);
            }
            Thread.sleep(PAUSE.toMillis());
        }
    }

    private boolean clientConnected(Path socket) {
        for (JsonNode chardev : client.execute("query-chardev")) {
            String filename = chardev.path("filename").asText();
            if (filename.contains(socket.toString())) {
                return !filename.startsWith("disconnected:");
            }
        }
        throw new AssertionError("no chardev for " + socket);
    }

    /**
     * Pauses and resumes the VM ({@code STOP} and {@code RESUME} events) again and again until
     * {@code done}: the CLI under test subscribes at a moment the test cannot see, so the events
     * keep coming until it has what it waits for.
     */
    void stopAndContinueUntil(BooleanSupplier done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still waiting after " + limit);
            }
            client.execute("stop");
            client.execute("cont");
            Thread.sleep(PAUSE.toMillis());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
