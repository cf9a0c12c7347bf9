package org.qmp4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The throwaway guest's kernel and initramfs, packed from this Debian machine's own packages by the
 * guest builder script that ships inside this jar (it installs what it needs when run as root, and
 * rebuilds only when its inputs change). Works from any project: nothing is looked up in a source
 * tree.
 *
 * <p>The cache directory is, in this order: the one given to {@link #build(Path)}; the system
 * property {@value #CACHE_PROPERTY}; the environment variable {@value #CACHE_ENV}; else
 * {@code ~/.cache/qmp4j/test-guest}.
 *
 * @param kernel the kernel image
 * @param initrd the initramfs
 */
public record GuestImage(Path kernel, Path initrd) {
    /** System property that names the cache directory. */
    public static final String CACHE_PROPERTY = "qmp4j.testkit.guestCache";
    /** Environment variable that names the cache directory (also read by the script itself). */
    public static final String CACHE_ENV = "QMP4J_GUEST_CACHE";
    /** Where the script and what it sources are, inside the jar. */
    static final String RESOURCES = "/org/qmp4j/testkit/guest/";
    static final String SCRIPT = "build-test-guest.sh";
    static final String LIBRARY = "lib/common.sh";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    /** The image in the default cache directory, built first if needed. */
    public static GuestImage build() {
        return build(defaultCacheDir());
    }

    /** The image in {@code cacheDir}, built first if needed (a few seconds when it is current). */
    public static GuestImage build(Path cacheDir) {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Path scripts = null;
        try {
            scripts = extractScripts();
            String out = HostCommand.run(BUILD_TIMEOUT, "bash", scripts.resolve(SCRIPT).toString(),
                    cacheDir.toAbsolutePath().toString());
            Path kernel = null;
            Path initrd = null;
            for (String line : out.split("\n")) {
                if (line.startsWith("QMP4J_GUEST_KERNEL=")) {
                    kernel = Path.of(line.substring(line.indexOf('=') + 1).trim());
                } else if (line.startsWith("QMP4J_GUEST_INITRD=")) {
                    initrd = Path.of(line.substring(line.indexOf('=') + 1).trim());
                }
            }
            if (kernel == null || initrd == null) {
                throw new IllegalStateException(SCRIPT + " printed no image paths: " + out);
            }
            return new GuestImage(kernel, initrd);
        } finally {
            QemuProcess.deleteRecursively(scripts);
        }
    }

    /**
     * Builds (or finds current) the image and prints its paths, as the script does:
     * {@code java -cp qmp4j-testkit.jar:... org.qmp4j.testkit.GuestImage [CACHE_DIR]}.
     */
    public static void main(String[] args) {
        GuestImage image = args.length > 0 ? build(Path.of(args[0])) : build();
        System.out.println("QMP4J_GUEST_KERNEL=" + image.kernel());
        System.out.println("QMP4J_GUEST_INITRD=" + image.initrd());
    }

    /** The cache directory when none is given: the property, the variable, or the default. */
    public static Path defaultCacheDir() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "qmp4j", "test-guest");
    }

    /**
     * Copies the builder script and its library out of the jar into a new temporary directory, in
     * the layout the script expects; the caller deletes it.
     */
    static Path extractScripts() {
        try {
            Path dir = Files.createTempDirectory("qmp4j-guest-builder-");
            Files.createDirectories(dir.resolve("lib"));
            for (String name : new String[] {SCRIPT, LIBRARY}) {
                try (InputStream in = GuestImage.class.getResourceAsStream(RESOURCES + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the test kit jar lacks " + RESOURCES + name);
                    }
                    Files.copy(in, dir.resolve(name));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the guest builder", e);
        }
    }
}
