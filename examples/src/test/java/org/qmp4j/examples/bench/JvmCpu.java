package org.qmp4j.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The JVM's CPU time, and how much of it its JIT compiler threads spent. A snapshot path that
 * has run a few thousand times is still being compiled by C2 (a method called once per snapshot
 * reaches C2's thresholds only after thousands of calls), and that compiling is CPU the JVM
 * spends once, not per snapshot: the benchmark shows both. The compiler threads are not Java
 * threads that {@code ThreadMXBean} lists, so their time is read from {@code /proc/self/task}.
 */
record JvmCpu(long totalNanos, long jitNanos) {
    /** Linux reports thread times in clock ticks of 1/100 s (USER_HZ, fixed by its ABI). */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path TASKS = Path.of("/proc/self/task");

    static JvmCpu now() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long jit = jitNanos(TASKS);
        return new JvmCpu(os.getProcessCpuTime(), jit);
    }

    /** The CPU spent since {@code earlier}. */
    JvmCpu since(JvmCpu earlier) {
        return new JvmCpu(totalNanos - earlier.totalNanos, jitNanos - earlier.jitNanos);
    }

    /** CPU outside the JIT compiler threads. */
    long restNanos() {
        return totalNanos - jitNanos;
    }

    /** The user and system time of the tasks under {@code tasks} whose name says they are JIT compiler threads. */
    static long jitNanos(Path tasks) {
        long ticks = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    if (isCompilerThread(Files.readString(task.resolve("comm")).strip())) {
                        ticks += cpuTicks(Files.readString(task.resolve("stat")));
                    }
                } catch (NoSuchFileException ended) {
                    // the thread ended meanwhile (compiler threads come and go with the load)
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + tasks + ": " + e, e);
        }
        return ticks * NANOS_PER_TICK;
    }

    /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ... (cut to 15 characters by Linux). */
    static boolean isCompilerThread(String name) {
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    /** utime + stime of a {@code /proc/.../stat} line; fields are counted after the name, which may hold spaces. */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        // after "pid (comm) ", field 0 is the state; utime and stime are fields 14 and 15 of the line
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
