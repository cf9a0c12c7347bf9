package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qmp4j.testkit.Await;
import org.qmp4j.testkit.GuardianProcesses;

/**
 * A controller that dies in the middle of starting its thaw guardian, killed (SIGKILL) or ending
 * normally at each step of the launch, leaves no process (launching shell, guardian blocked on its
 * FIFO, guardian) and no FIFO behind.
 */
class GuardianLaunchDeathTest {
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private Process controller;

    @AfterEach
    void cleanUp() {
        if (controller == null) {
            return;
        }
        controller.destroyForcibly();
        for (Leftover left : leftovers(controller.pid())) {
            left.remove();
        }
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "wait, SHELL_STARTED", "wait, PID_READ", "wait, FIFO_OPEN", "wait, FIFO_REMOVED", "wait, READY",
        "exit, SHELL_STARTED", "exit, PID_READ", "exit, FIFO_OPEN", "exit, FIFO_REMOVED", "exit, READY"})
    void aControllerEndingMidLaunchLeavesNothing(String how, String step) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        controller = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LaunchDyingController.class.getName(), how, step)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(controller.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("AT " + step);
        if (how.equals("wait")) {
            controller.destroyForcibly(); // SIGKILL: nothing of the controller runs any more
        }
        assertThat(controller.waitFor(10, TimeUnit.SECONDS)).isTrue();

        long pid = controller.pid();
        assertThat(Await.until(() -> leftovers(pid).isEmpty(), Duration.ofSeconds(10)))
                .as("left behind: %s", leftovers(pid)).isTrue();
    }

    /** Processes and files of a launch by the controller {@code pid}, found by name. */
    private static List<Leftover> leftovers(long pid) {
        String fifoPrefix = "qmp4j-guardian-" + pid + "-";
        List<Leftover> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(TMP)) {
            files.filter(f -> f.getFileName().toString().startsWith(fifoPrefix)).forEach(f -> found.add(new Leftover(f, null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessHandle.allProcesses().forEach(p -> {
            // the launching shell and the guardian's subshell name the FIFO; the guardian JVM, its controller
            boolean launching = p.info().arguments().map(List::of).orElse(List.of()).stream()
                    .anyMatch(a -> a.contains(fifoPrefix));
            if ((launching || GuardianProcesses.isGuardianOf(p, pid)) && GuardianProcesses.running(p.pid())) {
                found.add(new Leftover(null, p));
            }
        });
        return found;
    }

    private record Leftover(Path file, ProcessHandle process) {
        void remove() {
            if (process != null) {
                process.destroyForcibly();
            } else {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // reported by the test that found it
                }
            }
        }

        @Override
        public String toString() {
            if (file != null) {
                return file.toString();
            }
            String line = process.info().commandLine().orElse("?");
            return "pid " + process.pid() + " " + line.substring(0, Math.min(line.length(), 160));
        }
    }
}
