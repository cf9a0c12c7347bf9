package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.JobFailedException;
import org.qmp4j.testkit.QemuProcess;

/**
 * {@link JobWatcher#runToConclusion} against real QEMU: a {@code blockdev-create} that succeeds
 * leaves no job behind; one that fails inside the job (not when the command is accepted) reports
 * QEMU's own error and is dismissed too.
 */
class JobWatcherIT {
    @TempDir
    Path dir;

    @Test
    void aJobThatSucceedsIsDismissedAndOneThatFailsReportsQemusError() throws Exception {
        try (QemuProcess qemu = QemuProcess.startMachineNone();
             QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            for (String name : new String[] {"good", "bad"}) {
                Path file = Files.createFile(dir.resolve(name + ".qcow2"));
                qmp.execute("blockdev-add", Map.of("driver", "file", "node-name", name, "filename", file.toString()));
            }

            JobWatcher.runToConclusion(qmp, "blockdev-create", Map.of("job-id", "good-mk",
                    "options", Map.of("driver", "qcow2", "file", "good", "size", 1 << 20)), "good-mk", Duration.ofSeconds(30));
            assertThat(qmp.execute("query-jobs")).isEmpty();
            assertThat(Files.size(dir.resolve("good.qcow2"))).isPositive();

            // the cluster size is checked by the job, after the command was accepted
            assertThatThrownBy(() -> JobWatcher.runToConclusion(qmp, "blockdev-create", Map.of("job-id", "bad-mk",
                    "options", Map.of("driver", "qcow2", "file", "bad", "size", 1 << 20, "cluster-size", 1000)),
                    "bad-mk", Duration.ofSeconds(30)))
                    .isInstanceOf(JobFailedException.class)
                    .hasMessageContaining("bad-mk")
                    .hasMessageContaining("luster size");
            assertThat(qmp.execute("query-jobs")).isEmpty();
        }
    }
}
