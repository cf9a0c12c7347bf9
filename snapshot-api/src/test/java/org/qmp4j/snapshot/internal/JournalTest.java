package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.transport.Json;
import org.qmp4j.snapshot.JournalException;

/** The operation journal: durable steps, unfinished records, refusal, one controller at a time. */
class JournalTest {
    private static final String VM = "unix:/run/vm1/qmp.sock";

    @TempDir
    Path tmp;
    private Path dir;

    @org.junit.jupiter.api.BeforeEach
    void stateDirectory() {
        dir = tmp.resolve("state"); // made by the journal, owner-only
    }

    private static ObjectNode plan(String name) {
        ObjectNode plan = Json.mapper().createObjectNode();
        plan.put("op", "snapshot");
        plan.put("name", name);
        return plan;
    }

    @Test
    void anOperationWithoutAnEndIsUnfinishedForTheNextProcess() {
        try (Journal journal = Journal.open(dir, VM)) {
            Journal.Operation op = journal.begin(plan("s1"));
            journal.recorder(op).step("file", Map.of("file", "/images/disk0.s1.qcow2"));
            journal.recorder(op).step("freezing");
        }
        try (Journal journal = Journal.open(dir, VM)) {
            assertThat(journal.unfinished()).hasSize(1);
            Journal.Operation op = journal.unfinished().get(0);
            assertThat(op.kind()).isEqualTo("snapshot");
            assertThat(op.plan().path("name").asText()).isEqualTo("s1");
            assertThat(op.plan().path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(op.did("freezing")).isTrue();
            assertThat(op.did("thawed")).isFalse();
            assertThat(op.steps("file")).singleElement()
                    .satisfies(s -> assertThat(s.path("file").asText()).isEqualTo("/images/disk0.s1.qcow2"));

            assertThatThrownBy(() -> journal.begin(plan("s2"))).isInstanceOf(JournalException.class)
                    .hasMessageContaining("unfinished snapshot").hasMessageContaining("recover");

            journal.recorder(op).end("recovered");
            assertThat(journal.unfinished()).isEmpty();
            journal.begin(plan("s2")); // now it may
        }
    }

    @Test
    void aFinishedJournalIsEmptiedAtClose() throws Exception {
        Path file;
        try (Journal journal = Journal.open(dir, VM)) {
            file = journal.file();
            Journal.Operation op = journal.begin(plan("s1"));
            journal.recorder(op).end("done");
        }
        assertThat(Files.size(file)).isZero();
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void oneOperationPerVmAtATime() {
        try (Journal first = Journal.open(dir, VM)) {
            assertThatThrownBy(() -> Journal.open(dir, VM)).isInstanceOf(JournalException.class)
                    .hasMessageContaining("in progress");
            try (Journal other = Journal.open(dir, "unix:/run/vm2/qmp.sock")) {
                assertThat(other.file()).isNotEqualTo(first.file());
            }
        }
        Journal.open(dir, VM).close(); // the lock went with the first
    }

    @Test
    void aLineTornByACrashIsIgnored() throws Exception {
        Path file;
        try (Journal journal = Journal.open(dir, VM)) {
            file = journal.file();
            journal.recorder(journal.begin(plan("s1"))).step("freezing");
        }
        Files.writeString(file, "{\"id\":\"x\",\"st", StandardOpenOption.APPEND);
        try (Journal journal = Journal.open(dir, VM)) {
            assertThat(journal.unfinished()).singleElement().satisfies(op -> assertThat(op.did("freezing")).isTrue());
        }
    }

    @Test
    void aJournalThatIsASymlinkIsRefused() throws Exception {
        Files.createDirectories(dir);
        Path target = tmp.resolve("elsewhere");
        Files.writeString(target, "");
        Files.createSymbolicLink(Journal.fileOf(dir, VM), target);
        assertThatThrownBy(() -> Journal.open(dir, VM)).isInstanceOf(JournalException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aStepCannotCarryAFieldThatWouldMakeItAnotherOperation() {
        try (Journal journal = Journal.open(dir, VM)) {
            Journal.Operation op = journal.begin(plan("s1"));
            for (String reserved : java.util.List.of("op", "id", "step", "end")) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> journal.recorder(op).step("merge-back", Map.of(reserved, "x")))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reserved);
            }
            journal.recorder(op).step("merge-back", Map.of("job", "q4j-commit-1"));
        }
        try (Journal journal = Journal.open(dir, VM)) {
            assertThat(journal.unfinished()).hasSize(1);
            assertThat(journal.unfinished().get(0).kind()).isEqualTo("snapshot");
            assertThat(journal.unfinished().get(0).steps("merge-back")).hasSize(1);
        }
    }

    @Test
    void anotherVmsUnfinishedRecordOfAGroupIsSeenWithoutItsLock() {
        String other = "unix:/run/vm2/qmp.sock";
        ObjectNode plan = plan("g1");
        plan.putObject("group").put("id", "abc").put("name", "g1");
        try (Journal journal = Journal.open(dir, other)) {
            Journal.Operation op = journal.begin(plan);
            // locked by this journal, and still readable for the check
            assertThat(Journal.hasUnfinishedOfGroup(dir, other, "abc")).isTrue();
            assertThat(Journal.hasUnfinishedOfGroup(dir, other, "another")).isFalse();
            journal.end(op, "done");
            assertThat(Journal.hasUnfinishedOfGroup(dir, other, "abc")).isFalse();
        }
        assertThat(Journal.hasUnfinishedOfGroup(dir, "unix:/run/none/qmp.sock", "abc")).isFalse();
    }
}
