package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.testkit.HostCommand;

/**
 * {@code qmp4j revert} on a chain of images made with {@code qemu-img}: base &lt;- s1 &lt;- s2 (no QEMU
 * runs). Run in this JVM, and once through {@code examples/bin/qmp4j}.
 */
class CliRevertIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REVERT_NAME = "base\\.revert-\\d{8}-\\d{6}(-\\d+)?\\.qcow2";

    @TempDir
    Path dir;

    private Path base;
    private Path s1;
    private Path s2;

    @BeforeEach
    void createChain() {
        base = dir.resolve("base.qcow2");
        s1 = dir.resolve("base.s1.qcow2");
        s2 = dir.resolve("base.s2.qcow2");
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "16M");
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", s1.toString());
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", s1.toString(), "-F", "qcow2", s2.toString());
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static String backingOf(Path image) throws Exception {
        return JSON.readTree(HostCommand.run("qemu-img", "info", "--output=json", image.toString()))
                .path("backing-filename").asText();
    }

    @Test
    void jsonWithDeleteAbandoned() throws Exception {
        CliRun run = CliRun.inProcess("revert", "--image", s2.toString(), "--to", s1.toString(),
                "--delete-abandoned", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode result = run.json();
        Path boot = Path.of(result.path("bootImage").asText());
        assertThat(boot.getParent()).isEqualTo(dir);
        assertThat(boot.getFileName().toString()).matches(REVERT_NAME);
        assertThat(backingOf(boot)).isEqualTo(s1.toString());
        assertThat(result.path("snapshotImage").asText()).isEqualTo(s1.toString());
        assertThat(result.path("abandoned")).extracting(JsonNode::asText).containsExactly(s2.toString());
        assertThat(result.path("deleted")).extracting(JsonNode::asText).containsExactly(s2.toString());
        assertThat(result.path("kept")).isEmpty();
        assertThat(files()).containsExactlyInAnyOrder(base, s1, boot);
    }

    @Test
    void textKeepsTheAbandonedImagesUnlessAsked() throws Exception {
        CliRun run = CliRun.inProcess("revert", "--image", s2.toString(), "--to", base.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).matches("boot: " + Pattern.quote(dir + "/") + REVERT_NAME);
        Path boot = Path.of(lines.get(0).substring("boot: ".length()));
        assertThat(backingOf(boot)).isEqualTo(base.toString());
        assertThat(lines.subList(1, lines.size())).containsExactly("snapshot: " + base, "abandoned: 2",
                "  " + s2, "  " + s1, "deleted: 0", "kept: 2", "  " + s2, "  " + s1);
        assertThat(files()).containsExactlyInAnyOrder(base, s1, s2, boot);
    }

    @Test
    void snapshotNotInTheChainExits7AndChangesNothing() throws Exception {
        Path other = dir.resolve("other.qcow2");
        HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", other.toString(), "16M");
        List<Path> before = files();

        CliRun run = CliRun.inProcess("revert", "--image", s2.toString(), "--to", other.toString(),
                "--delete-abandoned");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(7);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: " + other + " is not in the backing chain of " + s2)
                .endsWith("nothing was changed\n");
        assertThat(files()).isEqualTo(before);
    }

    @Test
    void missingImageExits7() throws Exception {
        CliRun run = CliRun.inProcess("revert", "--image", dir.resolve("absent.qcow2").toString(),
                "--to", base.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(7);
        assertThat(run.err()).startsWith("error: ").contains("absent.qcow2");
        assertThat(files()).containsExactlyInAnyOrder(base, s1, s2);
    }

    /** The shipped tool end to end: the shaded jar has the snapshot API and runs qemu-img. */
    @Test
    void throughTheScript() throws Exception {
        assertThat(Path.of(System.getProperty("qmp4j.jar", "target/qmp4j.jar"))).as("the shaded jar").isRegularFile();
        Path out = Files.createDirectory(dir.resolve("cli-output"));

        CliRun run = CliRun.viaScript(CliRun.script(), out, "revert", "--image", s2.toString(), "--to", s1.toString(),
                "--delete-abandoned");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).as("no log lines on stderr").isEmpty();
        assertThat(run.out()).matches("boot: " + Pattern.quote(dir + "/") + REVERT_NAME + Pattern.quote(
                "\nsnapshot: " + s1 + "\nabandoned: 1\n  " + s2 + "\ndeleted: 1\n  " + s2 + "\nkept: 0\n"));
        assertThat(s2).doesNotExist();
    }
}
