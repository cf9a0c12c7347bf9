package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.qmp4j.core.Qmp4jException;
import org.qmp4j.qmp.QmpClient;

/**
 * Saves the paused VM's RAM and device state into a new file: the file's descriptor is passed to
 * QEMU ({@code getfd}) and a migration streams into it ({@code migrate fd:}). The file can be
 * loaded with {@code -incoming}.
 */
final class MemorySaver {
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final QmpClient qmp;
    private final Undo undo;

    MemorySaver(QmpClient qmp, Undo undo) {
        this.qmp = qmp;
        this.undo = undo;
    }

    void save(Path file) {
        try {
            OwnerOnlyFiles.createNew(file);
        } catch (FileAlreadyExistsException e) {
            throw new Qmp4jException("memory file " + file + " already exists: refusing to overwrite it");
        } catch (IOException e) {
            throw new Qmp4jException("cannot create memory file " + file + ": " + e, e);
        }
        undo.push("memory file " + file, () -> Files.deleteIfExists(file));
        String fdname = "q4j-mem-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            qmp.getfd(fdname, out.getFD());
            qmp.execute("migrate", Map.of("uri", "fd:" + fdname));
            awaitMigration();
        } catch (IOException e) {
            throw new Qmp4jException("cannot write memory file " + file + ": " + e, e);
        }
    }

    private void awaitMigration() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode info = qmp.execute("query-migrate");
            String status = info.path("status").asText();
            switch (status) {
                case "completed":
                    return;
                case "failed":
                case "cancelled":
                    throw new Qmp4jException("saving memory failed: " + info.path("error-desc").asText(status));
                default:
                    break;
            }
            if (System.nanoTime() > deadline) {
                qmp.execute("migrate_cancel");
                throw new Qmp4jException("saving memory did not finish within " + TIMEOUT.toMinutes() + " min");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                qmp.execute("migrate_cancel");
                throw new Qmp4jException("interrupted while saving memory", e);
            }
        }
    }
}
