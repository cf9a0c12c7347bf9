package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.CommandException;
import org.qmp4j.qmp.testing.QemuClientExtension;
import org.qmp4j.testkit.HostCommand;

/**
 * File descriptors passed to a real QEMU over the UNIX socket ({@code getfd}, {@code add-fd}),
 * checked by what QEMU reports and by QEMU actually using them.
 */
class FdPassingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @RegisterExtension
    final QemuClientExtension vm = QemuClientExtension.machineNone().clientOptions(b -> b.commandTimeout(WAIT));
    private QmpClient client;

    @BeforeEach
    void start() {
        client = vm.client();
    }

    @Test
    void getfdGivesQemuANamedDescriptorThatClosefdRemoves() throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(tmp.resolve("getfd.bin").toFile(), "rw")) {
            assertClosefdFails("it-fd"); // nothing by that name before getfd

            client.getfd("it-fd", file.getFD());
            client.closefd("it-fd");

            assertClosefdFails("it-fd"); // closed once, gone
        }
    }

    @Test
    void descriptorPassedWithGetfdIsUsableByQemu() throws Exception {
        Path stream = tmp.resolve("migration.bin");
        try (FileOutputStream out = new FileOutputStream(stream.toFile())) {
            client.getfd("migfd", out.getFD());
            client.execute("migrate-set-capabilities",
                    Map.of("capabilities", List.of(Map.of("capability", "events", "state", true))));

            QmpEvent done = client.executeAndAwaitEvent("migrate", Map.of("uri", "fd:migfd"),
                    EventFilter.names("MIGRATION").and(EventFilter.dataEquals("status", "completed")
                            .or(EventFilter.dataEquals("status", "failed"))), WAIT);

            assertThat(done.data("status").asText()).isEqualTo("completed");
        }
        // QEMU wrote its migration stream through our descriptor: it starts with the "QEVM" magic.
        byte[] head = Arrays.copyOf(Files.readAllBytes(stream), 4);
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("QEVM");
    }

    @Test
    void addFdPutsTheDescriptorInAnFdSetThatBlockdevAddCanOpenAndWriteThrough() throws Exception {
        Path image = tmp.resolve("disk.raw");
        HostCommand.run("qemu-img", "create", "-f", "raw", image.toString(), "1M");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            FdSetEntry entry = client.addFd(file.getFD(), null, "disk-raw");

            JsonNode set = fdset(entry.fdsetId()).orElseThrow(() -> new AssertionError("no fd set " + entry));
            assertThat(set.path("fds")).hasSize(1);
            assertThat(set.path("fds").get(0).path("fd").asInt()).isEqualTo(entry.fd());
            assertThat(set.path("fds").get(0).path("opaque").asText()).isEqualTo("disk-raw");

            String path = "/dev/fdset/" + entry.fdsetId();
            client.execute("blockdev-add", Map.of("driver", "file", "node-name", "fdnode", "filename", path));
            JsonNode node = namedNode("fdnode");
            assertThat(node.path("image").path("filename").asText()).isEqualTo(path);
            assertThat(node.path("image").path("virtual-size").asLong()).isEqualTo(1024 * 1024);

            client.execute("human-monitor-command",
                    Map.of("command-line", "qemu-io fdnode \"write -P 0xab 0 4096\""));
            client.execute("blockdev-del", Map.of("node-name", "fdnode"));

            client.removeFd(entry.fdsetId(), entry.fd());
            assertThat(fdset(entry.fdsetId())).as("fd set after remove-fd").isEmpty();
        }
        byte[] written = Arrays.copyOf(Files.readAllBytes(image), 4096);
        byte[] expected = new byte[4096];
        Arrays.fill(expected, (byte) 0xab);
        assertThat(written).as("bytes QEMU wrote through /dev/fdset").isEqualTo(expected);
    }

    @Test
    void concurrentAddFdCallsEachLandInTheirOwnSetWithTheRightFile() throws Exception {
        int count = 10;
        List<RandomAccessFile> files = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            for (int i = 0; i < count; i++) {
                RandomAccessFile file = new RandomAccessFile(tmp.resolve("file-" + i + ".raw").toFile(), "rw");
                files.add(file);
                file.setLength(sizeOf(i)); // a size per file tells QEMU's view of them apart
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<FdSetEntry>> added = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                RandomAccessFile file = files.get(i);
                String opaque = "file-" + i;
                added.add(pool.submit(() -> {
                    go.await();
                    return client.addFd(file.getFD(), null, opaque);
                }));
            }
            go.countDown();
            List<FdSetEntry> entries = new ArrayList<>();
            for (Future<FdSetEntry> f : added) {
                entries.add(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }

            assertThat(entries).extracting(FdSetEntry::fdsetId).doesNotHaveDuplicates();
            for (int i = 0; i < count; i++) {
                FdSetEntry entry = entries.get(i);
                JsonNode set = fdset(entry.fdsetId()).orElseThrow(() -> new AssertionError("no fd set " + entry));
                assertThat(set.path("fds")).hasSize(1);
                assertThat(set.path("fds").get(0).path("fd").asInt()).isEqualTo(entry.fd());
                assertThat(set.path("fds").get(0).path("opaque").asText()).isEqualTo("file-" + i);

                // QEMU opens the set's descriptor and finds the size of file i: the right file.
                String node = "cfd" + i;
                client.execute("blockdev-add", Map.of("driver", "file", "node-name", node,
                        "filename", "/dev/fdset/" + entry.fdsetId()));
                assertThat(namedNode(node).path("image").path("virtual-size").asLong()).isEqualTo(sizeOf(i));
                client.execute("blockdev-del", Map.of("node-name", node));
                client.removeFd(entry.fdsetId(), null);
            }
            assertThat(client.execute("query-fdsets")).as("fd sets after remove-fd").isEmpty();
        } finally {
            pool.shutdownNow();
            for (RandomAccessFile file : files) {
                file.close();
            }
        }
    }

    private static long sizeOf(int i) {
        return (i + 1) * 64L * 1024;
    }

    private void assertClosefdFails(String name) {
        assertThatThrownBy(() -> client.closefd(name))
                .isInstanceOfSatisfying(CommandException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.description()).isEqualTo("File descriptor named '" + name + "' not found");
                });
    }

    private Optional<JsonNode> fdset(long id) {
        for (JsonNode set : client.execute("query-fdsets")) {
            if (set.path("fdset-id").asLong(-1) == id) {
                return Optional.of(set);
            }
        }
        return Optional.empty();
    }

    private JsonNode namedNode(String name) {
        for (JsonNode node : client.execute("query-named-block-nodes")) {
            if (node.path("node-name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("no block node " + name);
    }
}
