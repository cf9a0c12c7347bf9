package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.qmp4j.core.WaitInterruptedException;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.EventSubscription;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.MemorySaveException;

/**
 * Saves the paused VM's RAM and device state into a new file: the file is created by
 * {@link NewFile} (never through a link, never over a file), its descriptor is passed to QEMU
 * ({@code getfd}) and a migration streams into it ({@code migrate fd:}). A {@code migrate} that
 * fails has not taken the descriptor: it is closed ({@code closefd}). The file can be loaded
 * with {@code -incoming}.
 */
final class MemorySaver {
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final QmpClient qmp;
    private final Undo undo;
    private final Journal.Recorder record;
    private final SnapshotFlow.Hooks hooks;

    MemorySaver(QmpClient qmp, Undo undo, Journal.Recorder record, SnapshotFlow.Hooks hooks) {
        this.qmp = qmp;
        this.undo = undo;
        this.record = record;
        this.hooks = hooks;
    }

    void save(Path file) {
        try (NewFile memory = NewFile.create(file)) {
            NewFile.Identity identity = memory.identity();
            record.step("memory-file", Map.of("file", file.toString()));
            undo.push("memory file " + file, identity::deleteIfInPlace); // what replaced it is not ours
            String fdname = "q4j-mem-" + RandomIds.hex8();
            qmp.getfd(fdname, memory.descriptor());
            try {
                hooks.before("memory descriptor passed");
                qmp.execute("migrate", Map.of("uri", "fd:" + fdname));
            } catch (RuntimeException e) {
                // the migration did not take the descriptor: QEMU would keep the file open
                closeQuietly(fdname, e);
                throw e;
            }
            awaitMigration();
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("memory file " + file + " already exists: refusing to overwrite it");
        } catch (IOException e) {
            throw new ImageException("cannot write memory file " + file + ": " + e, e);
        }
    }

    private void closeQuietly(String fdname, RuntimeException failure) {
        try {
            qmp.closefd(fdname);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
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
