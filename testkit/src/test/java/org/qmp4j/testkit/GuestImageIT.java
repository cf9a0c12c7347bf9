package org.qmp4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest image from nothing but the packaged jar: a JVM whose working directory is an empty
 * temporary directory, with only the test kit jar and Jackson on its class path, finds the builder
 * inside the jar, runs it against the cache, prints the image paths, and leaves nothing behind.
 */
class GuestImageIT {
    @TempDir
    Path workDir;

    @Test
    void theImageIsBuiltFromTheJarAloneOutsideAnyProject() throws Exception {
        Path jar = Path.of(System.getProperty("qmp4j.testkit.jar"));
        assertThat(jar).exists();
        String classPath = Stream.concat(Stream.of(jar.toString()),
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(entry -> entry.contains("jackson")))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> builderDirsBefore = builderDirs();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, GuestImage.class.getName(), GuestImage.defaultCacheDir().toString())
                .directory(workDir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(java.waitFor(10, TimeUnit.MINUTES)).isTrue();
            String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(java.exitValue()).as(out).isZero();
            List<Path> images = out.lines().filter(l -> l.startsWith("QMP4J_GUEST_"))
                    .map(l -> Path.of(l.substring(l.indexOf('=') + 1))).toList();
            assertThat(images).hasSize(2).allMatch(Files::isRegularFile)
                    .allMatch(p -> p.startsWith(GuestImage.defaultCacheDir()));
        } finally {
            java.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left).isEmpty();
        }
        assertThat(builderDirs()).containsExactlyInAnyOrderElementsOf(builderDirsBefore);
    }

    /** The shipped script is the project's one builder, byte for byte. */
    @Test
    void theShippedBuilderIsTheProjectsScript() throws Exception {
        Path extracted = GuestImage.extractScripts();
        try {
            Path root = Path.of(System.getProperty("qmp4j.root", ".."));
            assertThat(extracted.resolve(GuestImage.SCRIPT)).hasSameBinaryContentAs(root.resolve("scripts/build-test-guest.sh"));
            assertThat(extracted.resolve(GuestImage.LIBRARY)).hasSameBinaryContentAs(root.resolve("scripts/lib/common.sh"));
        } finally {
            QemuProcess.deleteRecursively(extracted);
        }
        assertThat(extracted).doesNotExist();
    }

    private static List<String> builderDirs() throws Exception {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("qmp4j-guest-builder-")).toList();
        }
    }
}
