package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.qmp4j.snapshot.JournalException;

/**
 * A group snapshot's one decision, on disk: every VM's {@code transaction} committed. Each VM's
 * journal records only its own part; this marker, beside the journals, is what tells
 * {@code recover} whether a VM whose own part committed keeps it (the group committed) or merges
 * it back (it did not: a controller died before every VM had switched). Written once, forced to
 * disk before any VM's switch is recorded, and removed when every VM's record is finished.
 */
public final class GroupDecision {
    private GroupDecision() {
    }

    /** Where the decision of group {@code id} is kept. */
    static Path fileOf(Path stateDirectory, String id) {
        return stateDirectory.resolve("group-" + id + ".committed");
    }

    /** Records that group {@code id} committed, durably (the file and its directory entry). */
    static void commit(Path stateDirectory, String id) {
        Path file = fileOf(stateDirectory, id);
        boolean created = false;
        try {
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                created = true;
                out.force(true);
            }
            try (FileChannel dir = FileChannel.open(stateDirectory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            if (created) {
                forget(stateDirectory, id); // not durable: it must not say "committed" to a recover
            }
            throw new JournalException("cannot record that group snapshot " + id + " committed: " + e, e);
        }
    }

    /** Whether group {@code id} committed. */
    static boolean committed(Path stateDirectory, String id) {
        return Files.exists(fileOf(stateDirectory, id));
    }

    /** Removes the decision once no record needs it; a failure only leaves an empty file behind. */
    static void forget(Path stateDirectory, String id) {
        try {
            Files.delete(fileOf(stateDirectory, id));
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(GroupDecision.class).warn("cannot remove {}: {}",
                    fileOf(stateDirectory, id), e.toString());
        }
    }
}
