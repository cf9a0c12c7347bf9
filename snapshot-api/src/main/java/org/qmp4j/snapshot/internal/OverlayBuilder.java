package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ImageException;

/**
 * Creates one overlay, ready to be switched to, logging each step for undo: the file (created
 * here, owner-only, never over an existing one), its file node, the qcow2 image on it
 * ({@code blockdev-create} with the disk's size, backing file and format, and cluster size), and
 * the qcow2 node with {@code backing: null} (the transaction attaches the backing).
 */
final class OverlayBuilder {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

    private final QmpClient qmp;
    private final Undo undo;
    private final Journal.Recorder record;
    private final SnapshotFlow.Hooks hooks;

    OverlayBuilder(QmpClient qmp, Undo undo, Journal.Recorder record, SnapshotFlow.Hooks hooks) {
        this.qmp = qmp;
        this.undo = undo;
        this.record = record;
        this.hooks = hooks;
    }

    void create(OverlayPlan plan) {
        createFile(plan);
        hooks.before("overlay file created");
        qmp.execute("blockdev-add", Map.of("driver", "file", "node-name", plan.fileNode(),
                "filename", plan.overlay().toString()));
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

    private void createFile(OverlayPlan plan) {
        try {
            OwnerOnlyFiles.createNew(plan.overlay());
        } catch (FileAlreadyExistsException e) {
            throw new ImageException("overlay " + plan.overlay() + " already exists: refusing to overwrite it");
        } catch (IOException e) {
            throw new ImageException("cannot create overlay " + plan.overlay() + ": " + e, e);
        }
        record.step("file", Map.of("file", plan.overlay().toString()));
        undo.push("file " + plan.overlay(), () -> {
            // If the switch's outcome is unknown, a QEMU may write to this file now: never delete it then.
            if (Files.exists(plan.overlay()) && FileLocks.inUseByQemu(plan.overlay())) {
                throw new IOException("kept: a QEMU process has it open");
            }
            Files.deleteIfExists(plan.overlay());
        });
    }
}
