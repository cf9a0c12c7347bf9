package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ImageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one overlay, ready to be switched to, logging each step for undo: the file (created
 * here, owner-only, never over an existing one or through a link), its file node, the qcow2 image
 * on it ({@code blockdev-create} with the disk's size, backing file and format, and cluster size),
 * and the qcow2 node with {@code backing: null} (the transaction attaches the backing).
 *
 * <p>Over a UNIX socket QEMU gets the file as a descriptor ({@code add-fd}, then
 * {@code /dev/fdset/N}): its path is resolved once, by {@link NewFile}, so swapping it for a link
 * cannot redirect QEMU's writes. Over TCP, which cannot pass descriptors, QEMU opens it by name.
 * {@link #checkInPlace()} tells, before the freeze, whether every path still names its file.
 */
final class OverlayBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayBuilder.class);
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

    private final QmpClient qmp;
    private final Undo undo;
    private final Journal.Recorder record;
    private final SnapshotFlow.Hooks hooks;
    private final List<NewFile.Identity> created = new ArrayList<>();

    OverlayBuilder(QmpClient qmp, Undo undo, Journal.Recorder record, SnapshotFlow.Hooks hooks) {
        this.qmp = qmp;
        this.undo = undo;
        this.record = record;
        this.hooks = hooks;
    }

    void create(OverlayPlan plan) {
        String filename = createFile(plan);
        qmp.execute("blockdev-add", Map.of("driver", "file", "node-name", plan.fileNode(), "filename", filename));
        undo.push("node " + plan.fileNode(), () -> BlockNodes.delete(qmp, plan.fileNode()));
        hooks.before("file node added");

        Map<String, Object> options = new LinkedHashMap<>();
        options.put("driver", "qcow2");
        options.put("file", plan.fileNode());
        options.put("size", plan.disk().virtualSize());
        options.put("backing-file", plan.disk().image().toString());
        options.put("backing-fmt", plan.disk().format());
        if (plan.disk().clusterSize() > 0) {
            options.put("cluster-size", plan.disk().clusterSize());
        }
        String job = OverlayPlan.createJobOf(plan.overlayNode());
        JobWatcher.runToConclusion(qmp, "blockdev-create", Map.of("job-id", job, "options", options), job, CREATE_TIMEOUT);
        hooks.before("image created");

        Map<String, Object> node = new LinkedHashMap<>();
        node.put("driver", "qcow2");
        node.put("node-name", plan.overlayNode());
        node.put("file", plan.fileNode());
        node.put("backing", null);
        qmp.execute("blockdev-add", node);
        undo.push("node " + plan.overlayNode(), () -> BlockNodes.delete(qmp, plan.overlayNode()));
    }

    /**
     * Fails if a path no longer names the file created there (renamed, or swapped for a link or
     * another file): QEMU still writes to the file, but the chain would not find it by name.
     */
    void checkInPlace() {
        for (NewFile.Identity file : created) {
            if (!file.isInPlace()) {
                throw new ImageException("overlay " + file.path() + " was moved or replaced after qmp4j created it;"
                        + " QEMU wrote only to the file qmp4j created, wherever it is now");
            }
        }
    }

    /** Creates the overlay file; returns the name QEMU opens it by (its fd set, or over TCP its path). */
    private String createFile(OverlayPlan plan) {
        try (NewFile file = NewFile.create(plan.overlay())) {
            created(file.identity());
            hooks.before("overlay file created");
            if (!FdSets.canPass(qmp)) {
                return plan.overlay().toString();
            }
            String name = FdSets.pass(qmp, file);
            // LIFO: runs after the nodes on the set are gone, before the file is deleted
            undo.push("fd set of " + plan.overlay(), () -> FdSets.releaseUnused(qmp));
            return name;
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("overlay " + plan.overlay() + " already exists: refusing to overwrite it");
        } catch (IOException e) {
            throw new ImageException("cannot create overlay " + plan.overlay() + ": " + e, e);
        }
    }

    private void created(NewFile.Identity file) {
        created.add(file);
        record.step("file", Map.of("file", file.path().toString()));
        undo.push("file " + file.path(), () -> {
            if (!file.isInPlace()) {
                // someone else's now: nothing of ours is at the path to delete
                LOG.warn("overlay {} was moved or replaced by someone else: leaving what is there", file.path());
                return;
            }
            // If the switch's outcome is unknown, a QEMU may write to this file now: never delete it then.
            if (FileLocks.inUseByQemu(file.path())) {
                throw new IOException("kept: a QEMU process has it open");
            }
            Files.delete(file.path());
        });
    }
}
