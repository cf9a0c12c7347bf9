package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qmp4j.snapshot.SnapshotTesting.ourNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.QemuProcess;

/**
 * {@code recover} with nothing on record: nodes that look like ours but no record names are
 * reported and kept, and deleted only when asked; a VM with nothing unfinished is whole.
 */
class RecoveryIT {
    @TempDir
    Path dir;

    @Test
    void unrecordedNodesAreReportedAndDeletedOnlyWhenAsked() throws Exception {
        Path image = dir.resolve("stray.raw");
        Files.write(image, new byte[1 << 16]);
        try (QemuProcess qemu = QemuProcess.startMachineNone(); QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            qmp.execute("blockdev-add", Map.of("driver", "file", "node-name", "q4j-0badf00d-f",
                    "filename", image.toString()));
            qmp.execute("blockdev-add", Map.of("driver", "raw", "node-name", "q4j-0badf00d", "file", "q4j-0badf00d-f"));
            qmp.execute("blockdev-add", Map.of("driver", "file", "node-name", "theirs", "filename", image.toString(),
                    "read-only", true));
            LiveSnapshots snapshots = LiveSnapshots.of(qmp).withStateDirectory(dir.resolve("state"));

            RecoveryReport report = snapshots.recover();
            assertThat(report.actions()).singleElement().asString().startsWith("nothing unfinished");
            assertThat(report.unrecordedNodes()).containsExactlyInAnyOrder("q4j-0badf00d", "q4j-0badf00d-f");
            assertThat(report.problems()).isEmpty();
            assertThat(report.clean()).isFalse();
            assertThat(ourNodes(qmp)).hasSize(2);

            RecoveryReport deleted = snapshots.recover(true);
            assertThat(deleted.actions()).contains("deleted unrecorded node q4j-0badf00d",
                    "deleted unrecorded node q4j-0badf00d-f");
            assertThat(ourNodes(qmp)).isEmpty();
            assertThat(qmp.execute("query-named-block-nodes").findValuesAsText("node-name")).contains("theirs");
            assertThat(snapshots.recover().clean()).isTrue();
        }
    }
}
