package org.qmp4j.qmp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.TreeSet;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.transport.Json;
import org.qmp4j.qmp.QemuVersion;
import org.qmp4j.qmp.QmpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas kept in files between processes ({@code QmpOptions.schemaCacheDirectory}): one file
 * per QEMU binary, named by a digest of what identifies it ({@link SchemaCache.Key}), used only if
 * its own commands are the binary's. The files only save time: one that cannot be read or
 * written is logged and passed over, never an error of the connection. A file's modification
 * time says when it was last used (refreshed at most daily on reading); each new file removes
 * those unused for {@link #UNUSED} (the binaries of upgraded QEMU packages), so that the
 * directory does not grow by about 200 KiB per QEMU build for ever.
 */
final class SchemaFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaFiles.class);
    /** A QEMU 10.0 schema is about 200 KiB; a file far larger than that is not one of ours. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;
    /** A temporary file this old was left by a process that died while writing it. */
    private static final Duration STALE_TEMP = Duration.ofMinutes(1);
    /** A schema file not read for this long is of a binary that is gone, most likely. */
    static final Duration UNUSED = Duration.ofDays(30);
    /** A file read is marked as used when its mark is older than this: a write a day at most. */
    private static final Duration MARK_AFTER = Duration.ofDays(1);
    private static final String PREFIX = "schema-";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path directory;

    SchemaFiles(Path directory) {
        this.directory = directory;
    }

    /** The file of {@code key}'s binary: {@code schema-<digest of version, package, commands>.json}. */
    Path fileOf(SchemaCache.Key key) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        QemuVersion v = key.version();
        digest.update(("qemu " + v.major() + "." + v.minor() + "." + v.micro() + " [" + v.pkg() + "]\n")
                .getBytes(StandardCharsets.UTF_8));
        for (String command : new TreeSet<>(key.commands())) {
            digest.update((command + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return directory.resolve(PREFIX + HexFormat.of().formatHex(digest.digest(), 0, 16) + ".json");
    }

    /** The schema in {@code key}'s {@code file}, if it holds one with exactly {@code key}'s commands. */
    Optional<QmpSchema> load(SchemaCache.Key key, Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            long size = attributes.size();
            if (size > MAX_FILE_BYTES) {
                LOG.warn("schema file {} is {} bytes, more than any schema: reading the schema from QEMU", file, size);
                return Optional.empty();
            }
            JsonNode json;
            try (InputStream in = Files.newInputStream(file)) {
                json = JsonTrees.read(Json.FACTORY, in);
            }
            QmpSchema schema = QmpSchema.parse(json);
            if (!schema.commands().equals(key.commands())) {
                LOG.warn("schema file {} lists other commands than its QEMU: reading the schema from QEMU", file);
                return Optional.empty();
            }
            markUsed(file, attributes.lastModifiedTime());
            return Optional.of(schema);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("schema file {} cannot be read ({}): reading the schema from QEMU", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code schema} (the {@code query-qmp-schema} return value) in {@code file}: written to
     * a temporary file beside it, then renamed over it, so a reader sees a whole file or none.
     */
    void store(Path file, JsonNode schema) {
        Path temp = null;
        try {
            Files.createDirectories(directory);
            removeStaleTemporaries();
            temp = Files.createTempFile(directory, PREFIX, TEMP_SUFFIX);
            Files.write(temp, JsonTrees.toBytes(schema));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            removeUnused(file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("the schema could not be kept in {} ({}): the next process reads it from QEMU again", file,
                    e.toString());
            deleteQuietly(temp);
        }
    }

    private static void markUsed(Path file, FileTime marked) {
        Instant now = Instant.now();
        if (marked.toInstant().isBefore(now.minus(MARK_AFTER))) {
            try {
                Files.setLastModifiedTime(file, FileTime.from(now));
            } catch (IOException e) {
                LOG.debug("cannot mark {} as used: {}", file, e.toString());
            }
        }
    }

    /** Removes the schema files, but {@code kept}, that nobody read for {@link #UNUSED}. */
    private void removeUnused(Path kept) throws IOException {
        removeOlderThan(PREFIX + "*.json", UNUSED, kept);
    }

    private void removeStaleTemporaries() throws IOException {
        removeOlderThan(PREFIX + "*" + TEMP_SUFFIX, STALE_TEMP, null);
    }

    /** Removes the files matching {@code glob}, but {@code kept}, last modified longer than {@code age} ago. */
    private void removeOlderThan(String glob, Duration age, Path kept) throws IOException {
        Instant before = Instant.now().minus(age);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
            for (Path file : files) {
                try {
                    if (!file.equals(kept) && Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
                        Files.deleteIfExists(file);
                        LOG.debug("removed {}: last modified before {}", file, before);
                    }
                } catch (IOException e) {
                    // another process removed, renamed or replaced it meanwhile
                }
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", temp, e.toString());
        }
    }
}
