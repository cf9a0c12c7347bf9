package org.qmp4j.snapshot.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qmp4j.snapshot.ImageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the images that still use given images as their backing file, among the qcow2 images in
 * the same directories. Images elsewhere are not seen: keep overlays beside their backing images,
 * or do not ask for deletion.
 */
final class BackingUsers {
    private static final Logger LOG = LoggerFactory.getLogger(BackingUsers.class);
    /** Every qcow2 image starts with these bytes, whatever its file name. */
    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    private final QemuImg qemuImg;

    BackingUsers(QemuImg qemuImg) {
        this.qemuImg = qemuImg;
    }

    /**
     * For each of {@code images}, the other qcow2 images in the directories of {@code images} whose
     * backing file it is. An image whose header cannot be read counts as a user of all of them.
     */
    Map<Path, List<Path>> usersOf(List<Path> images) {
        Map<Path, List<Path>> users = new LinkedHashMap<>();
        images.forEach(i -> users.put(i, new ArrayList<>()));
        for (Path candidate : candidates(images)) {
            QemuImgInfo info;
            try {
                info = qemuImg.inspect(candidate);
            } catch (ImageException e) {
                LOG.warn("cannot read {}; assuming it may use any of {} as backing file: {}", candidate, images,
                        e.getMessage());
                users.values().forEach(list -> list.add(candidate));
                continue;
            }
            for (Path image : images) {
                if (info.backing() != null && sameFile(info.backing(), image)) {
                    users.get(image).add(candidate);
                }
            }
        }
        return users;
    }

    /** The qcow2 files beside {@code images} that are not one of them. */
    private static Set<Path> candidates(List<Path> images) {
        Set<Path> dirs = new LinkedHashSet<>();
        images.forEach(i -> dirs.add(i.toAbsolutePath().getParent()));
        Set<Path> candidates = new LinkedHashSet<>();
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    if (Files.isRegularFile(file) && isQcow2(file) && images.stream().noneMatch(i -> sameFile(file, i))) {
                        candidates.add(file);
                    }
                }
            } catch (IOException e) {
                throw new ImageException("cannot list " + dir + " to find images that use " + images + ": " + e, e);
            }
        }
        return candidates;
    }

    private static boolean isQcow2(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(QCOW2_MAGIC.length), QCOW2_MAGIC);
        } catch (IOException e) {
            return true; // unreadable: let qemu-img have a look, and count it as a user if it fails too
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // one of them does not exist
        }
    }
}
