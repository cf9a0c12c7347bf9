package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.util.Objects;
import org.qmp4j.snapshot.internal.GroupSnapshotFlow;
import org.qmp4j.snapshot.internal.StateDirectory;

/**
 * Snapshots of several running VMs at one point in time: every guest frozen together, one
 * {@code transaction} per VM sent while all are frozen, every guest thawed once all have
 * switched. All or nothing: if any VM fails at any step, every VM goes back to its own images and
 * every guest is thawed. Each VM's part is on record in its own journal (as for
 * {@link LiveSnapshots}), with the group's decision beside them, so that
 * {@link LiveSnapshots#recover()} of each VM after a controller died keeps the group whole or
 * takes it back as a whole.
 */
public final class GroupSnapshots {
    private final Path stateDirectory;

    private GroupSnapshots(Path stateDirectory) {
        this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    }

    /** Group snapshots with the journals in the default state directory (as {@link LiveSnapshots}). */
    public static GroupSnapshots create() {
        return new GroupSnapshots(StateDirectory.defaultPath());
    }

    /** The same, with the journals in {@code directory}. */
    public GroupSnapshots withStateDirectory(Path directory) {
        return new GroupSnapshots(directory);
    }

    /**
     * Takes the group snapshot: preflight of every VM, every overlay created, every guest frozen
     * (per {@link GroupSnapshotRequest#freezeOrder()}), the transactions, the thaws, verify.
     *
     * @throws GroupSnapshotFailedException when it failed: says which VM failed at which step,
     *         and what (if anything) could not be undone
     */
    public GroupSnapshotResult take(GroupSnapshotRequest request) {
        return new GroupSnapshotFlow(request, stateDirectory, GroupSnapshotFlow.Hooks.NONE).run();
    }
}
