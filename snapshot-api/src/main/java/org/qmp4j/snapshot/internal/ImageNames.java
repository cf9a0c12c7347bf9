package org.qmp4j.snapshot.internal;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Predicate;
import org.qmp4j.snapshot.ImageException;

/**
 * File names of new overlays. Every name starts with the stem of the bottom image of the disk's
 * backing chain, so names never grow along a chain: {@code disk0.qcow2} → {@code disk0.s1.qcow2}
 * → {@code disk0.s2.qcow2}, not {@code disk0.s1.s2.qcow2}.
 */
public final class ImageNames {
    /** Timestamps in revert overlay names. */
    public static final DateTimeFormatter REVERT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    /** How many numbered alternatives to a taken revert name are tried. */
    static final int MAX_SUFFIX = 1000;

    private ImageNames() {
    }

    /** The file name of {@code image} without its last extension: {@code disk0.qcow2} → {@code disk0}. */
    public static String stem(Path image) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        // A leading dot starts a hidden name, not an extension.
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * The overlay of a snapshot called {@code name}: {@code <stem>.<name>.qcow2} in {@code dir},
     * or beside {@code activeImage} when {@code dir} is {@code null}.
     *
     * @param bottomImage the bottom image of {@code activeImage}'s backing chain (the stem's source)
     */
    public static Path snapshotOverlay(Path activeImage, Path bottomImage, String name, Path dir) {
        Path where = dir != null ? dir : activeImage.toAbsolutePath().getParent();
        return where.resolve(stem(bottomImage) + "." + name + ".qcow2");
    }

    /**
     * The overlay of a revert: {@code <stem>.revert-<yyyyMMdd-HHmmss>.qcow2} in {@code dir}, or
     * with {@code -2}, {@code -3}, ... before {@code .qcow2} while the name is {@code taken}.
     *
     * @throws ImageException if every alternative is taken
     */
    public static Path revertOverlay(Path dir, Path bottomImage, LocalDateTime time, Predicate<Path> taken) {
        String base = stem(bottomImage) + ".revert-" + REVERT_TIME.format(time);
        Path candidate = dir.resolve(base + ".qcow2");
        for (int n = 2; taken.test(candidate); n++) {
            if (n > MAX_SUFFIX) {
                throw new ImageException("no free name for a revert overlay: " + dir.resolve(base)
                        + ".qcow2 and " + (MAX_SUFFIX - 1) + " numbered alternatives exist");
            }
            candidate = dir.resolve(base + "-" + n + ".qcow2");
        }
        return candidate;
    }
}
