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
import org.qmp4j.core.WaitInterruptedException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.MemorySaveException;

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
    private final Journal.Recorder record;

    MemorySaver(QmpClient qmp, Undo undo, Journal.Recorder record) {
        this.qmp = qmp;
        this.undo = undo;
        this.record = record;
    }

    void save(Path file) {
        try {
            OwnerOnlyFiles.createNew(file);
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("memory file " + file + " already exists: refusing to overwrite it");
        } catch (IOException e) {
            throw new ImageException("cannot create memory file " + file + ": " + e, e);
        }
        record.step("memory-file", Map.of("file", file.toString()));
        undo.push("memory file " + file, () -> Files.deleteIfExists(file));
        String fdname = "q4j-mem-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            qmp.getfd(fdname, out.getFD());
            qmp.execute("migrate", Map.of("uri", "fd:" + fdname));
            awaitMigration();
        } catch (IOException e) {
            throw new ImageException("cannot write memory file " + file + ": " + e, e);
        }
    }

    /**
     * Polls {@code query-migrate} until it ends. The pause between polls is a wait for QEMU's
     * MIGRATION event (sent when the migration's {@code events} capability is on), so a finished
     * save is seen at once when QEMU says so, and at the next poll otherwise.
     */
    private void awaitMigration() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (EventSubscription changes = qmp.subscribe(EventFilter.names("MIGRATION"))) {
            while (true) {
                JsonNode info = qmp.execute("query-migrate");
                String status = info.path("status").asText();
                switch (status) {
                    case "completed":
                        return;
                    case "failed":
                    case "cancelled":
                        throw new MemorySaveException("saving memory failed: " + info.path("error-desc").asText(status));
                    default:
                        break;
                }
                if (System.nanoTime() > deadline) {
                    qmp.execute("migrate_cancel");
                    throw new MemorySaveException("saving memory did not finish within " + TIMEOUT.toMinutes() + " min");
                }
                try {
                    changes.poll(POLL);
                } catch (WaitInterruptedException e) {
                    qmp.execute("migrate_cancel");
                    throw e;
                }
            }
        }
    }
}
