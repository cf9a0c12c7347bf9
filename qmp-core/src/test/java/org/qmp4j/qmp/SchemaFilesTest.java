package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;

/**
 * Schemas kept in files between processes ({@link QmpOptions.Builder#schemaCacheDirectory}), against
 * fake monitors of one version: a client in another process is played by a client on resources of
 * its own, which shares nothing in memory with the first.
 */
class SchemaFilesTest {
    private static final List<String> COMMANDS = List.of("query-status", "blockdev-add");

    @TempDir
    Path dir;

    @Test
    void theSecondProcessReadsTheFileNotQemu() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        try (FakeQmpPeer first = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer second = SchemaMonitors.start(List.of("blockdev-add", "query-status"), reads)) {
            assertThat(schemaOf(first).commands()).containsExactlyInAnyOrderElementsOf(COMMANDS);
            assertThat(reads).hasValue(1);
            assertThat(schemaFiles()).hasSize(1);

            QmpSchema kept = schemaOf(second);
            assertThat(reads).as("read from the file").hasValue(1);
            assertThat(kept.commands()).containsExactlyInAnyOrderElementsOf(COMMANDS);
            assertThat(kept.hasCommand("blockdev-add")).isTrue();
        }
        assertThat(temporaries()).isEmpty();
    }

    @Test
    void anotherBuildOfTheSameVersionGetsAFileOfItsOwn() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        try (FakeQmpPeer first = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer otherBuild = SchemaMonitors.start(List.of("query-status", "blockdev-add", "x-extra"), reads);
             FakeQmpPeer firstAgain = SchemaMonitors.start(COMMANDS, reads)) {
            schemaOf(first);
            assertThat(schemaOf(otherBuild).hasCommand("x-extra")).isTrue();
            assertThat(reads).hasValue(2);
            assertThat(schemaFiles()).hasSize(2);
            assertThat(schemaOf(firstAgain).hasCommand("x-extra")).isFalse();
            assertThat(reads).hasValue(2);
        }
    }

    @Test
    void aDamagedFileIsReadFromQemuAgainAndReplaced() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        try (FakeQmpPeer first = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer second = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer third = SchemaMonitors.start(COMMANDS, reads)) {
            schemaOf(first);
            Path file = schemaFiles().get(0);
            Files.writeString(file, "[{\"name\": \"query-st", StandardCharsets.UTF_8); // cut short

            assertThat(schemaOf(second).commands()).containsExactlyInAnyOrderElementsOf(COMMANDS);
            assertThat(reads).hasValue(2);
            assertThat(schemaOf(third).commands()).containsExactlyInAnyOrderElementsOf(COMMANDS);
            assertThat(reads).as("the damaged file was replaced by a whole one").hasValue(2);
        }
    }

    /**
     * A new file removes those nobody read for 30 days; reading a file marks it as used (its
     * modification time), so a binary in use keeps its file however old it is.
     */
    @Test
    void aNewFileRemovesThoseUnusedFor30Days() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(40)));
        try (FakeQmpPeer inUse = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer inUseAgain = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer upgraded = SchemaMonitors.start(List.of("query-status", "blockdev-add", "x-new"), reads)) {
            schemaOf(inUse);
            Path used = schemaFiles().get(0);
            Path gone = Files.writeString(dir.resolve("schema-0123456789abcdef0123456789abcdef.json"), "[]");
            Path recent = Files.writeString(dir.resolve("schema-fedcba9876543210fedcba9876543210.json"), "[]");
            Path notOurs = Files.writeString(dir.resolve("notes.json"), "{}");
            for (Path file : List.of(used, gone, notOurs)) {
                Files.setLastModifiedTime(file, longAgo);
            }

            schemaOf(inUseAgain); // read from its file: marked as used today
            assertThat(reads).hasValue(1);
            assertThat(Files.getLastModifiedTime(used).toInstant()).isAfter(Instant.now().minus(Duration.ofDays(1)));

            schemaOf(upgraded); // a new file
            assertThat(reads).hasValue(2);
            assertThat(gone).doesNotExist();
            assertThat(used).exists();
            assertThat(recent).exists();
            assertThat(notOurs).as("not a schema file").exists();
            assertThat(schemaFiles()).hasSize(4); // used, recent, the upgraded binary's, and notes.json
        }
    }

    @Test
    void aFileWithOtherCommandsThanItsQemuIsNotBelieved() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        try (FakeQmpPeer first = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer second = SchemaMonitors.start(COMMANDS, reads)) {
            schemaOf(first);
            Path file = schemaFiles().get(0);
            Files.writeString(file, SchemaMonitors.schemaOf(List.of("query-status", "blockdev-add", "x-forged"))
                    .toString(), StandardCharsets.UTF_8);

            QmpSchema schema = schemaOf(second);
            assertThat(reads).hasValue(2);
            assertThat(schema.hasCommand("x-forged")).isFalse();
        }
    }

    @Test
    void aMonitorWithoutQueryCommandsIsAskedForItsSchemaAndNothingIsKept() throws IOException {
        try (FakeQmpPeer peer = FakeQmpPeer.start()) {
            peer.on("query-commands", req -> List.of(PeerAction.error(req, "CommandNotFound",
                    "The command query-commands has not been found")));
            peer.on("query-qmp-schema", req -> List.of(PeerAction.reply(req, SchemaMonitors.schemaOf(COMMANDS))));
            assertThat(schemaOf(peer).hasCommand("blockdev-add")).isTrue();
        }
        assertThat(Files.exists(dir) ? schemaFiles() : List.of()).isEmpty();
    }

    @Test
    void aDirectoryThatCannotBeMadeCostsOnlyTheFile() throws IOException {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "x");
        AtomicInteger reads = new AtomicInteger();
        try (FakeQmpPeer peer = SchemaMonitors.start(COMMANDS, reads);
             QmpClient client = QmpClient.connect(QmpOptions.builder(Endpoint.unix(peer.socket()))
                     .schemaCacheDirectory(blocker.resolve("schemas")).build())) {
            assertThat(client.schema().hasCommand("query-status")).isTrue();
            assertThat(reads).hasValue(1);
        }
    }

    @Test
    void sharedResourcesAndFilesTogether() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        try (ClientResources resources = ClientResources.create();
             FakeQmpPeer first = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer second = SchemaMonitors.start(COMMANDS, reads);
             FakeQmpPeer otherProcess = SchemaMonitors.start(COMMANDS, reads);
             QmpClient a = QmpClient.connect(options(first).resources(resources).build());
             QmpClient b = QmpClient.connect(options(second).resources(resources).build())) {
            QmpSchema schema = a.schema();
            assertThat(b.schema()).isSameAs(schema);
            assertThat(schemaFiles()).hasSize(1);
            schemaOf(otherProcess);
            assertThat(reads).hasValue(1);
        }
    }

    private QmpSchema schemaOf(FakeQmpPeer peer) {
        try (QmpClient client = QmpClient.connect(options(peer).build())) {
            return client.schema();
        }
    }

    private QmpOptions.Builder options(FakeQmpPeer peer) {
        return QmpOptions.builder(Endpoint.unix(peer.socket())).schemaCacheDirectory(dir);
    }

    private List<Path> schemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
        }
    }

    private List<Path> temporaries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
