package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.util.List;

/**
 * A revert of a stopped VM's disk to a snapshot.
 *
 * @param bootImage the new overlay on top of the snapshot image: boot the VM from this one
 * @param snapshotImage the snapshot image, now the new overlay's backing file (never written to)
 * @param abandoned the images that were above the snapshot in the old chain, top first
 * @param deleted those of {@code abandoned} that were deleted; the others were kept, because
 *        deletion was not asked for, another image still uses them as backing file, or they
 *        could not be removed
 */
public record RevertResult(Path bootImage, Path snapshotImage, List<Path> abandoned, List<Path> deleted) {
    public RevertResult {
        abandoned = List.copyOf(abandoned);
        deleted = List.copyOf(deleted);
    }

    /** The abandoned images that still exist. */
    public List<Path> kept() {
        return abandoned.stream().filter(p -> !deleted.contains(p)).toList();
    }
}
