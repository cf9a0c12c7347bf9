package org.qmp4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's split of the JVM's CPU must count the compiler threads, and only them. */
class JvmCpuTest {
    @TempDir
    Path tasks;

    @Test
    void sumsUserAndSystemTicksOfTheCompilerThreadsOnly() throws IOException {
        task("101", "C2 CompilerThre", stat(101, "C2 CompilerThre", 250, 30));
        task("102", "C1 CompilerThre", stat(102, "C1 CompilerThre", 7, 3));
        task("103", "qmp4j-io-unix-1", stat(103, "qmp4j-io-unix-1", 900, 400));
        task("104", "java", stat(104, "java", 5000, 100));

        assertThat(JvmCpu.jitNanos(tasks)).isEqualTo((250 + 30 + 7 + 3) * 10_000_000L);
    }

    @Test
    void readsTheTimesAfterANameWithSpacesAndParentheses() {
        assertThat(JvmCpu.cpuTicks(stat(7, "a) (b c", 11, 22))).isEqualTo(33);
    }

    @Test
    void aThreadThatEndedWhileBeingReadIsLeftOut() throws IOException {
        task("101", "C2 CompilerThre", stat(101, "C2 CompilerThre", 1, 1));
        Files.createDirectory(tasks.resolve("102")); // gone before its files were read

        assertThat(JvmCpu.jitNanos(tasks)).isEqualTo(2 * 10_000_000L);
    }

    @Test
    void findsThisJvmsOwnCompilerThreads() throws IOException {
        long compilers;
        try (var all = Files.list(Path.of("/proc/self/task"))) {
            compilers = all.filter(t -> {
                try {
                    return JvmCpu.isCompilerThread(Files.readString(t.resolve("comm")).strip());
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
        assertThat(compilers).as("HotSpot's compiler threads, by the names Linux shows").isPositive();
        JvmCpu now = JvmCpu.now();
        assertThat(now.jitNanos()).isBetween(0L, now.totalNanos());
    }

    private void task(String tid, String comm, String stat) throws IOException {
        Path dir = Files.createDirectory(tasks.resolve(tid));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("stat"), stat);
    }

    /** A /proc/PID/task/TID/stat line with the given name and utime/stime (fields 14 and 15). */
    private static String stat(int tid, String comm, long utime, long stime) {
        return tid + " (" + comm + ") S 1 1 1 0 -1 4194368 10 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 30 0 75186 3133440 381\n";
    }
}
