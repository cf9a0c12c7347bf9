package org.qmp4j.qmp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.qmp4j.core.CommandOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.HostCommand;

/**
 * Keeps a real QEMU's main loop busy, so that in-band commands wait while the monitor still
 * reads: {@code pmemsave} into a FIFO that nobody reads blocks QEMU in {@code open(2)} until
 * {@link #release()}. Out-of-band commands are still answered by the monitor's I/O thread (when
 * OOB was negotiated). {@link #close()} unblocks QEMU if the test did not, and never blocks itself.
 */
public final class MainLoopBlocker implements AutoCloseable {
    /** Bytes pmemsave writes: far below a pipe's capacity, so the write never waits for a reader. */
    public static final int SIZE = 4096;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path fifo;
    private final CompletableFuture<JsonNode> command;
    private RandomAccessFile otherEnd;

    private MainLoopBlocker(Path fifo, CompletableFuture<JsonNode> command) {
        this.fifo = fifo;
        this.command = command;
    }

    /**
     * Makes a FIFO in {@code dir} and sends {@code pmemsave} into it with deadline {@code timeout}.
     * Returns at once; QEMU's main loop is blocked as soon as it dispatches the command, and every
     * in-band command sent after this one waits behind it.
     */
    public static MainLoopBlocker block(QmpClient client, Path dir, Duration timeout) {
        Path fifo = dir.resolve("main-loop-blocker-" + COUNTER.incrementAndGet() + ".fifo");
        HostCommand.run("mkfifo", fifo.toString());
        CompletableFuture<JsonNode> command = client.executeAsync("pmemsave",
                Map.of("val", 0, "size", SIZE, "filename", fifo.toString()), CommandOptions.timeout(timeout));
        return new MainLoopBlocker(fifo, command);
    }

    /** The blocking {@code pmemsave} command. */
    public CompletableFuture<JsonNode> command() {
        return command;
    }

    /**
     * Opens the FIFO's other end, so that QEMU's {@code open} returns and {@code pmemsave}
     * finishes; waits for its reply (up to {@code timeout}) and returns the bytes QEMU wrote.
     */
    public byte[] release(Duration timeout) throws Exception {
        openOtherEnd();
        command.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        byte[] data = new byte[SIZE];
        otherEnd.readFully(data); // already in the pipe: pmemsave replied only after writing it
        return data;
    }

    private void openOtherEnd() throws IOException {
        if (otherEnd == null) {
            // Read-write: opening a FIFO this way never blocks, whether or not QEMU is still there.
            otherEnd = new RandomAccessFile(fifo.toFile(), "rw");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            openOtherEnd();
            otherEnd.close();
        } finally {
            Files.deleteIfExists(fifo);
        }
    }
}
