package org.qmp4j.snapshot;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.qmp4j.snapshot.internal.OfflineRevert;
import org.qmp4j.snapshot.internal.OfflineSnapshot;
import org.qmp4j.snapshot.internal.OverlayFiles;
import org.qmp4j.snapshot.internal.QemuImg;

/**
 * Snapshots and reverts of a STOPPED VM's disk images, with {@code qemu-img} (no QEMU process,
 * no QMP). For a running VM use {@link LiveSnapshots}.
 *
 * <p>Images a running QEMU writes to are refused: {@code qemu-img} is asked to take the image's
 * locks, which such a QEMU holds. That is a safety net, not a reservation: the caller makes sure
 * the VM is not started while an operation runs. New overlays are qcow2 files readable by their
 * owner only ({@code 0600}); an existing file is never overwritten. Overlay names start with the
 * stem of the bottom image of the disk's backing chain, so they never grow along a chain.
 *
 * <p>Immutable and thread-safe; each {@code qemu-img} call has a deadline. Errors are
 * {@link ImageException}s (with {@code qemu-img}'s stderr); malformed arguments are
 * {@link IllegalArgumentException}s, raised before any file is touched.
 */
public final class OfflineImages {
    /** The default deadline of one {@code qemu-img} call. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

    private final QemuImg qemuImg;
    private final OfflineSnapshot snapshots;
    private final OfflineRevert reverts;

    private OfflineImages(QemuImg qemuImg, Clock clock) {
        this.qemuImg = qemuImg;
        this.snapshots = new OfflineSnapshot(qemuImg);
        this.reverts = new OfflineRevert(qemuImg, clock);
    }

    /** Uses {@code qemu-img} from {@code PATH}, {@link #DEFAULT_TIMEOUT} per call. */
    public static OfflineImages create() {
        return create(Path.of("qemu-img"), DEFAULT_TIMEOUT);
    }

    /**
     * Uses the {@code qemu-img} at {@code qemuImg} (a bare name is looked up on {@code PATH}),
     * with {@code timeout} per call (a call that takes longer is killed and fails).
     */
    public static OfflineImages create(Path qemuImg, Duration timeout) {
        return create(qemuImg, timeout, Clock.systemUTC());
    }

    /** As {@link #create(Path, Duration)}, with revert overlays named after {@code clock}'s time. */
    static OfflineImages create(Path qemuImg, Duration timeout, Clock clock) {
        return new OfflineImages(new QemuImg(qemuImg, timeout), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The backing chain of {@code image}, top ({@code image} itself) first, bottom last; node
     * names are {@code null}. Works on images in use (read with {@code -U}).
     */
    public List<ChainLayer> backingChain(Path image) {
        return qemuImg.backingChain(Objects.requireNonNull(image, "image"));
    }

    /**
     * Creates a qcow2 {@code overlay} on top of {@code base} ({@code -b} with {@code base}'s
     * absolute path, {@code -F} with its format as {@code qemu-img info} reports it), owner-only
     * ({@code 0600}). On failure nothing is left behind.
     *
     * @return {@code overlay}, absolute
     * @throws ImageException if {@code overlay} exists (it is left untouched), {@code base} is in
     *         use by a running QEMU, or {@code qemu-img} failed
     */
    public Path createOverlay(Path base, Path overlay) {
        Objects.requireNonNull(base, "base");
        Path target = Objects.requireNonNull(overlay, "overlay").toAbsolutePath().normalize();
        String format = qemuImg.inspectNotInUse(base).format();
        new OverlayFiles(qemuImg).create(base.toAbsolutePath().normalize(), format, target);
        return target;
    }

    /**
     * Snapshots a stopped VM's disks: a new overlay on top of each active image, named
     * {@code <stem>.<name>.qcow2} (stem: file name of the bottom image of that image's backing
     * chain, without extension) beside the image, or in {@code overlayDir}. Boot the VM from the
     * overlays afterwards; the active images become the snapshot and are never written again.
     *
     * <p>Everything is checked before anything is created: no image in use, no overlay path
     * exists, no two are equal, their directories exist. A failure midway removes the overlays
     * created so far.
     *
     * @param activeImages the images the VM boots from, one per disk
     * @param name the snapshot's name, matching {@link SnapshotRequest#SAFE_NAME}
     * @param overlayDir where the overlays go, or {@code null} for beside each image
     * @return per image: device = the image's file name, node {@code null}, base = the image
     *         (absolute), overlay, overlayNode {@code null}
     * @throws IllegalArgumentException for an unsafe name or an empty list (nothing touched)
     * @throws ImageException when a check or a creation failed; the message says what was removed
     */
    public List<DiskSnapshot> snapshot(List<Path> activeImages, String name, Path overlayDir) {
        return snapshots.run(activeImages, name, overlayDir);
    }

    /**
     * Reverts a stopped VM's disk to {@code snapshotImage}, which must be {@code currentImage} or
     * an image of its backing chain: creates a fresh overlay on top of {@code snapshotImage}
     * (never writing into the snapshot itself), named {@code <stem>.revert-<yyyyMMdd-HHmmss>.qcow2}
     * (time of this instance's clock, UTC by default; {@code -2}, {@code -3}, ... appended if
     * taken) beside the snapshot image. Boot the VM from {@link RevertResult#bootImage()}.
     *
     * <p>The images of {@code currentImage}'s chain above {@code snapshotImage} are abandoned.
     * With {@code deleteAbandoned}, they are deleted top first, except any that another qcow2 image
     * in the same directories uses as backing file (and the images below such a one): those are
     * kept, and missing from {@link RevertResult#deleted()}. Images in other directories are not
     * looked at.
     *
     * @throws ImageException if {@code snapshotImage} is not in the chain, an image is in use by a
     *         running QEMU, or the overlay could not be created (then nothing was deleted)
     */
    public RevertResult revert(Path currentImage, Path snapshotImage, boolean deleteAbandoned) {
        return reverts.run(currentImage, snapshotImage, deleteAbandoned);
    }
}
