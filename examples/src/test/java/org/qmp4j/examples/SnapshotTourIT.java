package org.qmp4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The demo's main job ({@code scripts/demo.sh} runs {@link SnapshotTour}) works on this machine:
 * every step shows what it claims (the tour throws otherwise), and it leaves nothing behind.
 */
class SnapshotTourIT {
    @Test
    void theTourRunsEveryStepAndLeavesNothingBehind() throws Exception {
        List<Path> before = tourDirs();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            SnapshotTour.tour(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("quiesced: true, 2 file systems frozen")
                .contains("disk0.qcow2: clean, no journal recovery needed")
                .contains("disk1.qcow2: clean, no journal recovery needed")
                .contains("disk0.second.qcow2 -> disk0.first.qcow2 -> disk0.qcow2")
                .contains("merged disk1.second.qcow2")
                .contains("the reverted guest mounted both disks");
        assertThat(tourDirs()).isEqualTo(before);
    }

    private static List<Path> tourDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("qmp4j-tour-")
                    || p.getFileName().toString().startsWith("qmp4j-guest-")).sorted().toList();
        }
    }
}
