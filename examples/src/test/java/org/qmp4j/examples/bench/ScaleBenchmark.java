package org.qmp4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;

/**
 * Scale: N QEMUs (default 200; {@code -Dqmp4j.bench.vms=N}) on one JVM and one
 * {@link ClientResources}: connect time, heap per idle connection, threads, then a concurrent
 * snapshot of every VM's disk, {@code -Dqmp4j.bench.rounds} times (default 10; the first on
 * fresh connections, which have not read a schema yet), with the JVM's CPU time per snapshot and
 * the part of it that the JIT compiler threads spent ({@link JvmCpu}): C2 goes on compiling the
 * snapshot path for thousands of snapshots, and the rest is what a compiled path costs. Each QEMU is a stopped q35 machine with one
 * small qcow2 disk on virtio-blk (no guest code runs). Not a regular test: run it with
 * <pre>
 * mvn -B verify -pl examples -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=ScaleBenchmark -Dfailsafe.failIfNoSpecifiedTests=false [-Dqmp4j.bench.vms=200] [-Dqmp4j.bench.rounds=10] \
 *   [-Dqmp4j.bench.sequential=N]
 * </pre>
 * With {@code qmp4j.bench.sequential}, N more snapshots follow, one at a time from one thread,
 * round-robin over the VMs: the JVM's CPU per snapshot without 200 callers at once. With
 * {@code qmp4j.bench.warmUp=N}, the JVM first takes N concurrent rounds of snapshots of 20 other
 * VMs on the same resources, whose connections and QEMUs then end: the first round is then on
 * fresh connections in a JVM whose JIT has compiled the snapshot path (a control plane that has
 * been running), which separates what a new connection costs from what a new JVM costs.
 * It asserts only that every snapshot happened; the figures are printed.
 */
class ScaleBenchmark {
    private static final int VMS = Integer.getInteger("qmp4j.bench.vms", 200);
    /** Concurrent snapshot rounds; after the second, the JIT is still compiling the snapshot path. */
    private static final int ROUNDS = Math.max(2, Integer.getInteger("qmp4j.bench.rounds", 10));
    /** Then this many snapshots one at a time, round-robin over the VMs (0: none). */
    private static final int SEQUENTIAL = Integer.getInteger("qmp4j.bench.sequential", 0);
    /** Concurrent rounds on other VMs before the measured ones (0: a fresh JVM). */
    private static final int WARM_UP = Integer.getInteger("qmp4j.bench.warmUp", 0);
    private static final int WARM_UP_VMS = 20;

    @TempDir
    Path dir;

    @Test
    void manyVmsOnOneJvm() throws Exception {
        List<QemuProcess> qemus = new ArrayList<>();
        List<QmpClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(VMS);
        try (ClientResources resources = ClientResources.create()) {
            if (WARM_UP > 0) {
                warmUp(pool, resources);
            }
            long start = System.nanoTime();
            startVms(qemus, VMS, "vm");
            double qemuStart = seconds(start);

            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long heapBefore = usedHeapAfterGc(memory);
            start = System.nanoTime();
            List<Future<QmpClient>> connecting = new ArrayList<>();
            for (QemuProcess qemu : qemus) {
                connecting.add(pool.submit(() -> QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                        .resources(resources).build())));
            }
            for (Future<QmpClient> f : connecting) {
                clients.add(f.get());
            }
            double connect = seconds(start);
            long heapPerConnection = (usedHeapAfterGc(memory) - heapBefore) / VMS;
            // qmp4j's own threads, not the callers' pool, by name without the number
            java.util.Map<String, Long> threads = Thread.getAllStackTraces().keySet().stream()
                    .map(Thread::getName).filter(n -> n.startsWith("qmp4j-"))
                    .collect(java.util.stream.Collectors.groupingBy(n -> n.replaceAll("-?\\d+$", ""),
                            java.util.TreeMap::new, java.util.stream.Collectors.counting()));

            double[] first = snapshotAll(pool, clients, "first");
            double[] second = snapshotAll(pool, clients, "second");
            List<double[]> later = new ArrayList<>();
            for (int r = 3; r <= ROUNDS; r++) {
                later.add(snapshotAll(pool, clients, "r" + r));
            }
            double[] sequential = SEQUENTIAL > 0 ? snapshotOneAtATime(clients, SEQUENTIAL) : null;

            System.out.printf(Locale.ROOT, "%n== %d VMs on one JVM (I/O threads: %d)%n", VMS,
                    ClientResources.defaultIoThreads());
            System.out.printf(Locale.ROOT, "QEMUs started in %.1f s (not qmp4j's)%n", qemuStart);
            System.out.println(WARM_UP > 0 ? "the JVM warmed up first: " + WARM_UP + " concurrent rounds on "
                    + WARM_UP_VMS + " other VMs, since ended" : "a fresh JVM");
            System.out.printf(Locale.ROOT, "connect all, concurrently: %.2f s; heap per idle connection: %.1f KiB;"
                    + " qmp4j threads: %s%n", connect, heapPerConnection / 1024.0, threads);
            System.out.println("JVM CPU per snapshot: all of the JVM's, then (JIT) what its compiler threads spent of it"
                    + " and (rest) the remainder, what a compiled snapshot path costs");
            System.out.printf(Locale.ROOT, "concurrent snapshot of all, first (fresh connections): %.2f s, %s%n",
                    first[0], cpuPerSnapshot(first));
            System.out.printf(Locale.ROOT, "concurrent snapshot of all, second: %.2f s, %s%n", second[0],
                    cpuPerSnapshot(second));
            System.out.printf(Locale.ROOT, "first / second: %.2fx (target at most 1.5x)%n", first[0] / second[0]);
            for (int r = 0; r < later.size(); r++) {
                System.out.printf(Locale.ROOT, "concurrent snapshot of all, round %d: %.2f s, %s%n",
                        r + 3, later.get(r)[0], cpuPerSnapshot(later.get(r)));
            }
            if (sequential != null) {
                System.out.printf(Locale.ROOT, "%d snapshots one at a time, round-robin: %.2f ms each, %s%n",
                        SEQUENTIAL, sequential[0] * 1000 / SEQUENTIAL, cpuPerSnapshot(sequential));
            }
        } finally {
            pool.shutdownNow();
            for (QmpClient c : clients) {
                c.abort();
            }
            for (QemuProcess q : qemus) {
                q.close();
            }
        }
    }

    private void startVms(List<QemuProcess> qemus, int count, String prefix) {
        for (int i = 0; i < count; i++) {
            Path disk = dir.resolve(prefix + i + ".qcow2");
            HostCommand.run(Duration.ofSeconds(30), "qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "1M");
            qemus.add(QemuProcess.start(List.of("-machine", "q35,accel=tcg", "-S", "-m", "16",
                    "-drive", "if=none,id=d0,file=" + disk + ",format=qcow2",
                    "-device", "virtio-blk-pci,drive=d0,id=vd0")));
        }
    }

    /** {@link #WARM_UP} concurrent rounds on VMs of their own, which end before the measured VMs start. */
    private void warmUp(ExecutorService pool, ClientResources resources) throws Exception {
        List<QemuProcess> qemus = new ArrayList<>();
        List<QmpClient> clients = new ArrayList<>();
        try {
            startVms(qemus, WARM_UP_VMS, "warm");
            for (QemuProcess qemu : qemus) {
                clients.add(QmpClient.connect(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))
                        .resources(resources).build()));
            }
            for (int r = 0; r < WARM_UP; r++) {
                snapshotAll(pool, clients, "w" + r);
            }
        } finally {
            clients.forEach(QmpClient::close);
            qemus.forEach(QemuProcess::close);
        }
    }

    /**
     * Snapshots every VM at once; returns the wall seconds, the JVM CPU milliseconds per snapshot
     * and those of them spent by the JIT compiler threads.
     */
    private double[] snapshotAll(ExecutorService pool, List<QmpClient> clients, String name) throws Exception {
        JvmCpu cpu = JvmCpu.now();
        long start = System.nanoTime();
        List<Future<SnapshotResult>> taking = new ArrayList<>();
        for (QmpClient qmp : clients) {
            Callable<SnapshotResult> take = () -> LiveSnapshots.of(qmp).withStateDirectory(dir.resolve("state"))
                    .take(SnapshotRequest.builder(name).quiesce(QuiescePolicy.OFF).build());
            taking.add(pool.submit(take));
        }
        for (Future<SnapshotResult> f : taking) {
            assertThat(f.get().disks()).hasSize(1);
        }
        double wall = seconds(start);
        JvmCpu spent = JvmCpu.now().since(cpu);
        return new double[] {wall, spent.totalNanos() / 1e6 / clients.size(), spent.jitNanos() / 1e6 / clients.size()};
    }

    /** {@code count} snapshots from this thread, one VM after the other; the figures of {@link #snapshotAll}. */
    private double[] snapshotOneAtATime(List<QmpClient> clients, int count) {
        JvmCpu cpu = JvmCpu.now();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            SnapshotResult result = LiveSnapshots.of(clients.get(i % clients.size()))
                    .withStateDirectory(dir.resolve("state"))
                    .take(SnapshotRequest.builder("s" + i).quiesce(QuiescePolicy.OFF).build());
            assertThat(result.disks()).hasSize(1);
        }
        double wall = seconds(start);
        JvmCpu spent = JvmCpu.now().since(cpu);
        return new double[] {wall, spent.totalNanos() / 1e6 / count, spent.jitNanos() / 1e6 / count};
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static String cpuPerSnapshot(double[] figures) {
        return String.format(Locale.ROOT, "JVM CPU %.2f ms per snapshot (JIT %.2f, rest %.2f)", figures[1], figures[2],
                figures[1] - figures[2]);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
