package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.qmp4j.core.Blocking;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpSchema;
import org.qmp4j.qmp.StatusInfo;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.SnapshotName;
import org.qmp4j.snapshot.SnapshotRequest;

/**
 * Everything checked before a snapshot changes anything: the VM's state, running jobs and
 * migration, which disks to take and whether each can be taken, and where the overlays go.
 * Every refusal names the disk and the reason.
 */
final class Preflight {
    private static final Set<String> SNAPSHOTTABLE_STATES = Set.of("running", "paused", "prelaunch");
    private static final List<String> REQUIRED_COMMANDS = List.of("blockdev-add", "blockdev-create", "blockdev-del",
            "transaction", "query-jobs", "job-dismiss", "query-named-block-nodes");
    private static final Set<String> IDLE_MIGRATION = Set.of("none", "completed", "failed", "cancelled");

    private final QmpClient qmp;
    private final SnapshotRequest request;

    Preflight(QmpClient qmp, SnapshotRequest request) {
        this.qmp = qmp;
        this.request = request;
    }

    /** The outcome: the VM's state and a plan per disk. */
    record Result(StatusInfo status, List<OverlayPlan> plans) {
    }

    /** Runs the checks; {@code statusKnown} gets the VM's status as soon as it is read and accepted. */
    Result run(Consumer<StatusInfo> statusKnown) {
        if (!SnapshotName.isValid(request.name())) {
            throw refuse("snapshot name '" + request.name() + "' is not safe in a file name: " + SnapshotName.RULE);
        }
        CompletableFuture<QmpSchema> schema = qmp.schemaAsync(); // read (or loaded) meanwhile
        // Read-only questions that do not depend on one another go out together: one wait for
        // all instead of a round trip (and two thread wake-ups) each. QEMU answers in order, so
        // the status still comes first; what a refusal leaves unread is simply dropped.
        CompletableFuture<StatusInfo> statusReply = qmp.queryStatusAsync();
        CompletableFuture<JsonNode> jobs = qmp.executeAsync("query-jobs");
        CompletableFuture<JsonNode> migration = qmp.executeAsync("query-migrate");
        // query-block alone: the disks and their chains' images; the node list and the graph
        // (a deep chain's largest replies) would add nothing a snapshot needs
        CompletableFuture<JsonNode> block = qmp.executeAsync("query-block");
        CompletableFuture<JsonNode> fdSets = qmp.executeAsync("query-fdsets");
        StatusInfo status = Blocking.await(statusReply);
        if (!SNAPSHOTTABLE_STATES.contains(status.status())) {
            throw refuse("the VM is in state '" + status.status() + "'");
        }
        statusKnown.accept(status);
        checkQemuCanDoIt(Blocking.await(schema));
        checkNoJobs(Blocking.await(jobs));
        checkNoMigration(Blocking.await(migration));
        BlockState state = BlockState.devicesOf(qmp, Blocking.await(block), fdSets);
        List<OverlayPlan> plans = new ArrayList<>();
        Set<Path> overlays = new HashSet<>();
        for (BlockDisk disk : select(state.disks())) {
            checkSnapshottable(disk);
            Path overlay = overlayPath(state, disk);
            if (Files.exists(overlay, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw refuse("overlay " + overlay + " for disk " + disk.displayName() + " already exists");
            }
            if (!overlays.add(overlay)) {
                throw refuse("two disks would get the same overlay " + overlay + ": use distinct image names "
                        + "or snapshot them separately");
            }
            String node = "q4j-" + RandomIds.hex8();
            plans.add(new OverlayPlan(disk, overlay, node, OverlayPlan.fileNodeOf(node)));
        }
        request.memoryFile().ifPresent(memory -> {
            if (Files.exists(memory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw refuse("memory file " + memory + " already exists");
            }
        });
        if (plans.isEmpty()) {
            throw refuse("no disk to snapshot");
        }
        return new Result(status, plans);
    }

    /** Asks the schema, not the version: distributions backport, and newer QEMU renames. */
    private static void checkQemuCanDoIt(QmpSchema schema) {
        for (String command : REQUIRED_COMMANDS) {
            if (!schema.hasCommand(command)) {
                throw refuse("this QEMU has no '" + command + "' command");
            }
        }
        if (!schema.argumentValues("transaction", "actions.type").contains("blockdev-snapshot")) {
            throw refuse("this QEMU's transaction has no blockdev-snapshot action");
        }
    }

    private static void checkNoJobs(JsonNode jobs) {
        for (JsonNode job : jobs) {
            if (!"concluded".equals(job.path("status").asText())) {
                throw refuse("a block job is running: " + job.path("id").asText() + " ("
                        + job.path("type").asText() + ", " + job.path("status").asText() + ")");
            }
        }
    }

    private static void checkNoMigration(JsonNode migrate) {
        String migration = migrate.path("status").asText("none");
        if (!IDLE_MIGRATION.contains(migration)) {
            throw refuse("a migration is in progress (" + migration + ")");
        }
    }

    private List<BlockDisk> select(List<BlockDisk> disks) {
        if (request.disks().isEmpty()) {
            return disks.stream().filter(d -> d.image() != null && !d.readOnly() && !d.removable()).toList();
        }
        List<BlockDisk> chosen = new ArrayList<>();
        for (String name : request.disks()) {
            BlockDisk disk = disks.stream().filter(d -> d.matches(name)).findFirst()
                    .orElseThrow(() -> refuse("no disk named '" + name + "'; the VM has: "
                            + disks.stream().map(d -> d.displayName() + " (node " + d.node() + ")").toList()));
            if (chosen.contains(disk)) {
                throw refuse("disk " + name + " is named twice");
            }
            chosen.add(disk);
        }
        return chosen;
    }

    private void checkSnapshottable(BlockDisk disk) {
        String name = "disk " + disk.displayName();
        if (disk.image() == null) {
            throw refuse(name + " has no image");
        }
        if (disk.readOnly()) {
            throw refuse(name + " is read-only");
        }
        if (disk.image().startsWith("/dev/")) {
            throw refuse(name + " is a raw host block device (" + disk.image() + ")");
        }
        if (!disk.image().isAbsolute() || !Files.isRegularFile(disk.image())) {
            // QEMU's json: names run to 4 KiB: a refusal quotes only their start
            throw refuse(name + " is not backed by a local image file (" + Json.printable(disk.image().toString(), 200)
                    + ")");
        }
        if (sharedWithOtherVms(disk)) {
            throw refuse(name + " is shared with other VMs (share-rw=on)");
        }
    }

    /** {@code share-rw} is a property of the guest device, which query-block names by its QOM path. */
    private boolean sharedWithOtherVms(BlockDisk disk) {
        String path = disk.qdev();
        while (path != null && path.startsWith("/")) {
            try {
                return qmp.execute("qom-get", Map.of("path", path, "property", "share-rw")).asBoolean(false);
            } catch (CommandException e) {
                int slash = path.lastIndexOf('/');
                path = slash > 0 ? path.substring(0, slash) : null; // e.g. .../vd0/virtio-backend -> .../vd0
            }
        }
        return false;
    }

    /** {@code <stem>.<name>.qcow2}, stem from the chain's bottom image, so names never grow. */
    private Path overlayPath(BlockState state, BlockDisk disk) {
        return ImageNames.snapshotOverlay(disk.image(), state.bottomImage(disk), request.name(),
                request.overlayDirectory().orElse(null));
    }

    private static PreflightRefusal refuse(String why) {
        return new PreflightRefusal(why);
    }

    /** A refusal: nothing was changed. */
    static final class PreflightRefusal extends org.qmp4j.core.Qmp4jException {
        private static final long serialVersionUID = 1L;

        PreflightRefusal(String message) {
            super(message);
        }
    }
}
