package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.ImageException;
import org.qmp4j.snapshot.RevertResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revert of a stopped VM's disk to a snapshot image of its backing chain: a fresh overlay on top of
 * the snapshot image (which is never written to), and optionally deletion of the images that were
 * above it, except those another image still needs.
 */
public final class OfflineRevert {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineRevert.class);

    private final QemuImg qemuImg;
    private final OverlayFiles overlays;
    private final BackingUsers backingUsers;
    private final Clock clock;

    /** Names revert overlays after {@code clock}'s local time. */
    public OfflineRevert(QemuImg qemuImg, Clock clock) {
        this.qemuImg = qemuImg;
        this.overlays = new OverlayFiles(qemuImg);
        this.backingUsers = new BackingUsers(qemuImg);
        this.clock = clock;
    }

    /** Reverts; see {@link org.qmp4j.snapshot.OfflineImages#revert}. */
    public RevertResult run(Path currentImage, Path snapshotImage, boolean deleteAbandoned) {
        Objects.requireNonNull(currentImage, "currentImage");
        Objects.requireNonNull(snapshotImage, "snapshotImage");
        Path current = currentImage.toAbsolutePath().normalize();
        qemuImg.inspectNotInUse(current);
        List<ChainLayer> chain = qemuImg.backingChain(current);
        int index = indexIn(chain, snapshotImage);
        if (index < 0) {
            throw new ImageException(snapshotImage + " is not in the backing chain of " + current + " ("
                    + chain.stream().map(ChainLayer::image).toList() + "); nothing was changed");
        }
        ChainLayer snapshot = chain.get(index);
        if (index > 0) {
            qemuImg.inspectNotInUse(snapshot.image()); // a VM booted from it directly would be writing into it
        }
        Path bootImage = ImageNames.revertOverlay(snapshot.image().getParent(), chain.get(chain.size() - 1).image(),
                LocalDateTime.now(clock), p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS));
        overlays.create(snapshot.image(), snapshot.format(), bootImage);
        List<Path> abandoned = chain.subList(0, index).stream().map(ChainLayer::image).toList();
        List<Path> deleted = deleteAbandoned && !abandoned.isEmpty() ? delete(abandoned) : List.of();
        return new RevertResult(bootImage, snapshot.image(), abandoned, deleted);
    }

    private static boolean inUse(Path image) {
        try {
            return FileLocks.inUseByQemu(image);
        } catch (IOException e) {
            LOG.warn("cannot tell whether {} is in use ({}): keeping it", image, e.toString());
            return true;
        }
    }

    private static int indexIn(List<ChainLayer> chain, Path image) {
        for (int i = 0; i < chain.size(); i++) {
            try {
                if (Files.isSameFile(chain.get(i).image(), image)) {
                    return i;
                }
            } catch (IOException e) {
                // a layer or the image does not exist: not this one
            }
        }
        return -1;
    }

    /**
     * Deletes the abandoned images (top first) that no other image needs and no QEMU has open
     * (another VM may run on a layer, e.g. as its read-only backing file: QEMU's image lock shows
     * it). Once one is needed, so is everything below it (its own backing chain); a failed
     * deletion also stops there, so the images left always form a working chain.
     */
    private List<Path> delete(List<Path> abandoned) {
        Map<Path, List<Path>> users = backingUsers.usersOf(abandoned);
        List<Path> deleted = new ArrayList<>();
        for (Path image : abandoned) {
            if (!users.get(image).isEmpty()) {
                LOG.info("keeping {} and the images below it: {} still use it as backing file", image, users.get(image));
                break;
            }
            if (inUse(image)) {
                LOG.info("keeping {} and the images below it: a running QEMU has it open (image lock)", image);
                break;
            }
            try {
                Files.delete(image);
                deleted.add(image);
            } catch (IOException e) {
                LOG.warn("cannot delete abandoned image {}; keeping it and the images below it: {}", image, e.toString());
                break;
            }
        }
        return deleted;
    }
}
