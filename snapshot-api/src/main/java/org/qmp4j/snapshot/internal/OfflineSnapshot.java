package org.qmp4j.snapshot.internal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.SnapshotName;

/**
 * A snapshot of a stopped VM's disks with {@code qemu-img}: a new qcow2 overlay on top of each
 * active image. Everything is checked before anything is created; a failure midway removes the
 * overlays created so far.
 */
public final class OfflineSnapshot {
    private final QemuImg qemuImg;
    private final OverlayFiles overlays;

    public OfflineSnapshot(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
        this.overlays = new OverlayFiles(qemuImg);
    }

    /** One disk's plan: its active image and format, and the overlay to create. */
    private record Planned(Path image, String format, Path overlay) {
    }

    /** Takes the snapshot; see {@link org.qmp4j.snapshot.OfflineImages#snapshot}. */
    public List<DiskSnapshot> run(List<Path> activeImages, String name, Path overlayDir) {
        checkArguments(activeImages, name);
        List<Planned> plan = plan(activeImages, name, overlayDir == null ? null : overlayDir.toAbsolutePath());
        checkOverlayPaths(plan);
        create(plan, name);
        List<DiskSnapshot> result = new ArrayList<>();
        for (Planned p : plan) {
            result.add(new DiskSnapshot(p.image().getFileName().toString(), null, p.image(), p.overlay(), null));
        }
        return List.copyOf(result);
    }

    /** Checks what needs no file system: a usable name, at least one image, no nulls. */
    public static void checkArguments(List<Path> activeImages, String name) {
        Objects.requireNonNull(activeImages, "activeImages");
        Objects.requireNonNull(name, "name");
        SnapshotName.check(name);
        if (activeImages.isEmpty()) {
            throw new IllegalArgumentException("no images to snapshot");
        }
        for (Path image : activeImages) {
            Objects.requireNonNull(image, "activeImages contains null");
        }
    }

    private List<Planned> plan(List<Path> activeImages, String name, Path overlayDir) {
        List<Planned> plan = new ArrayList<>();
        for (Path given : activeImages) {
            Path image = given.toAbsolutePath().normalize();
            QemuImgInfo info = qemuImg.inspectNotInUse(image);
            List<ChainLayer> chain = qemuImg.backingChain(image);
            Path bottom = chain.get(chain.size() - 1).image();
            plan.add(new Planned(image, info.format(), ImageNames.snapshotOverlay(image, bottom, name, overlayDir)));
        }
        return plan;
    }

    private static void checkOverlayPaths(List<Planned> plan) {
        Set<Path> seen = new HashSet<>();
        for (Planned p : plan) {
            Path overlay = p.overlay().normalize();
            if (!seen.add(overlay)) {
                throw new ImageException("two disks would get the same overlay " + overlay
                        + " (the same image twice, or images with the same bottom image name in one directory)");
            }
            if (Files.exists(overlay, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException("overlay " + overlay + " for " + p.image() + " already exists;"
                        + " nothing was created");
            }
            if (!Files.isDirectory(overlay.getParent())) {
                throw new ImageException("directory " + overlay.getParent() + " for overlay of " + p.image()
                        + " does not exist; nothing was created");
            }
        }
    }

    private void create(List<Planned> plan, String name) {
        List<Path> created = new ArrayList<>();
        for (Planned p : plan) {
            try {
                overlays.create(p.image(), p.format(), p.overlay());
                created.add(p.overlay());
            } catch (RuntimeException e) {
                throw new ImageException("snapshot '" + name + "' failed at " + p.image() + ": " + e.getMessage()
                        + undo(created), e);
            }
        }
    }

    /** Removes the overlays created so far; says what it removed and what it could not. */
    private static String undo(List<Path> created) {
        List<Path> removed = new ArrayList<>();
        List<Path> left = new ArrayList<>();
        for (Path overlay : created) {
            (OverlayFiles.deleteQuietly(overlay) ? removed : left).add(overlay);
        }
        return (removed.isEmpty() ? "" : "; removed " + removed)
                + (left.isEmpty() ? "" : "; COULD NOT REMOVE " + left);
    }
}
