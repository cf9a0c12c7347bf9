package org.qmp4j.examples;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.ExecResult;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;
import org.qmp4j.snapshot.DiskSnapshot;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.MergeRequest;
import org.qmp4j.snapshot.MergeResult;
import org.qmp4j.snapshot.OfflineImages;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.RevertResult;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;
import org.qmp4j.testkit.TestGuest;

/**
 * The main job, end to end, on a real throwaway guest (run by {@code scripts/demo.sh}): boot a
 * guest with two ext4 disks under a write workload, take a quiesced live snapshot, show that the
 * guest kept writing, prove each base image clean from the outside, take a second snapshot, show
 * the chain, merge the second back, then stop the VM, revert it to the first snapshot and boot
 * what the revert made. Everything it creates is under one temporary directory, removed at the end.
 *
 * <p>Arguments: none. It needs {@code qemu-system-x86_64}, {@code qemu-img}, the e2fsprogs tools
 * and the test guest's ingredients (what {@code scripts/demo.sh} installs).
 */
public final class SnapshotTour {
    private static final List<String> MOUNTS = List.of("/mnt/vda", "/mnt/vdb");
    private static final int DISK_MIB = 64;

    private final PrintStream out;

    private SnapshotTour(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        tour(System.out);
    }

    /** Runs the tour, narrating on {@code out}; throws if any step does not show what it should. */
    public static void tour(PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("qmp4j-tour-");
        try {
            new SnapshotTour(out).run(work);
        } finally {
            QemuProcess.deleteRecursively(work);
        }
        out.println("\nDone. Every VM is stopped and " + work + " is removed.");
    }

    private void run(Path work) throws Exception {
        List<Path> disks = List.of(TestGuest.createExt4Disk(work, "disk0", DISK_MIB),
                TestGuest.createExt4Disk(work, "disk1", DISK_MIB));
        List<Long> atSnapshot = new ArrayList<>();
        List<Path> firstOverlays = new ArrayList<>();
        long counterBeforeStop;

        step(1, "Boot a throwaway guest: Linux under TCG, two 64 MiB ext4 disks, a write workload on each");
        try (TestGuest guest = timed("booting", () -> TestGuest.builder().diskImages(disks).workload(true).start());
             QmpClient qmp = QmpClient.connect(guest.qmpSocket());
             GuestAgentClient agent = GuestAgentClient.connect(GuestAgentOptions.builder(
                     Endpoint.unix(guest.agentSocket())).qmp(qmp).build())) {
            out.println("   QEMU " + qmp.greeting().version() + ", guest agent answers; workload passes so far: "
                    + counters(agent));
            LiveSnapshots snapshots = LiveSnapshots.of(qmp, agent);

            step(2, "Take a quiesced live snapshot: freeze (guest agent), one QMP transaction for both disks, thaw");
            SnapshotResult first = snapshots.take(SnapshotRequest.builder("first").quiesce(QuiescePolicy.REQUIRED)
                    .build());
            out.printf(Locale.ROOT, "   quiesced: %s, %d file systems frozen, guest frozen for %d ms%n",
                    first.quiesced(), first.frozenFilesystems(), first.freezeWindow().toMillis());
            for (DiskSnapshot d : first.disks()) {
                out.println("   " + d.device() + ": " + d.base().getFileName() + " is now the snapshot; writes go to "
                        + d.overlay().getFileName());
                firstOverlays.add(d.overlay());
            }

            step(3, "The guest kept writing");
            List<Long> before = counters(agent);
            Thread.sleep(1500);
            List<Long> after = counters(agent);
            out.println("   workload passes: " + before + " -> " + after + " 1.5 s later");
            for (int i = 0; i < after.size(); i++) {
                if (after.get(i) <= before.get(i)) {
                    throw new IllegalStateException("the guest stopped writing to " + MOUNTS.get(i));
                }
            }

            step(4, "Each base image is a clean ext4 file system, checked from the outside (dumpe2fs, e2fsck -fn)");
            for (Path base : disks) {
                long counter = checkClean(base, work);
                atSnapshot.add(counter);
                out.println("   " + base.getFileName() + ": clean, no journal recovery needed; its workload counter: "
                        + counter);
            }

            step(5, "A second snapshot, and the chain of each disk (top first)");
            snapshots.take(SnapshotRequest.builder("second").quiesce(QuiescePolicy.REQUIRED).build());
            printChains(snapshots.chains());

            step(6, "Merge the second snapshot back (block-commit of the top overlay into the one below)");
            for (String disk : List.of("vd0", "vd1")) {
                MergeResult merged = snapshots.merge(MergeRequest.builder(disk).deleteOverlay(true)
                        .progress(p -> {
                            if (System.console() != null && p.status() != null) { // a live line on a terminal only
                                out.printf(Locale.ROOT, "\r   %s: %-9s %3d%%", disk, p.status(), p.percent());
                            }
                        })
                        .build());
                out.printf(Locale.ROOT, "\r   %s: merged %s in %d ms, file deleted: %s%n", disk,
                        merged.removedOverlay().getFileName(), merged.took().toMillis(), merged.overlayDeleted());
            }
            printChains(snapshots.chains());
            counterBeforeStop = counters(agent).get(0);
        }

        step(7, "Stop the VM and revert both disks to the first snapshot (a fresh overlay on each base)");
        OfflineImages images = OfflineImages.create();
        List<Path> bootImages = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            RevertResult r = images.revert(firstOverlays.get(i), disks.get(i), true);
            bootImages.add(r.bootImage());
            out.println("   " + disks.get(i).getFileName() + ": boot " + r.bootImage().getFileName() + "; deleted "
                    + r.deleted().stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
        }
        try (TestGuest reverted = timed("booting the reverted VM",
                () -> TestGuest.builder().diskImages(bootImages).workload(false).start());
             QmpClient qmp = QmpClient.connect(reverted.qmpSocket());
             GuestAgentClient agent = GuestAgentClient.connect(GuestAgentOptions.builder(
                     Endpoint.unix(reverted.agentSocket())).qmp(qmp).build())) {
            List<Long> now = counters(agent);
            out.println("   the reverted guest mounted both disks and sees workload counters " + now
                    + " (at the first snapshot: " + atSnapshot + "; " + counterBeforeStop + " on vda before the stop)");
            if (!now.equals(atSnapshot)) {
                throw new IllegalStateException("the reverted disks do not hold the first snapshot's data");
            }
        }
    }

    /** The workload's pass counter on each data disk, read in the guest through the agent. */
    private List<Long> counters(GuestAgentClient agent) {
        List<Long> counters = new ArrayList<>();
        for (String mount : MOUNTS) {
            ExecResult r = agent.exec(ExecRequest.of("/bin/sh", "-c",
                    "cat " + mount + "/qmp4j-workload/counter 2>/dev/null || echo 0"));
            String out = r.stdoutText().trim();
            counters.add(out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[0]));
        }
        return counters;
    }

    /**
     * Copies {@code image} to raw (reading it while QEMU has it open, {@code -U}), fails unless
     * {@code dumpe2fs} shows no pending journal recovery and {@code e2fsck -fn} finds nothing;
     * returns the workload counter in it.
     */
    private long checkClean(Path image, Path work) throws Exception {
        Path raw = work.resolve(image.getFileName() + ".raw");
        try {
            HostCommand.run(Duration.ofMinutes(2), "qemu-img", "convert", "-U", "-O", "raw", image.toString(),
                    raw.toString());
            String header = HostCommand.run(Duration.ofMinutes(1), "dumpe2fs", "-h", raw.toString());
            if (header.lines().anyMatch(l -> l.startsWith("Filesystem features:") && l.contains("needs_recovery"))) {
                throw new IllegalStateException(image + ": its journal needs recovery: not a consistent snapshot");
            }
            HostCommand.run(Duration.ofMinutes(1), "e2fsck", "-fn", raw.toString());
            // debugfs prints its banner first: the counter is the last line
            List<String> lines = HostCommand.run(Duration.ofMinutes(1), "debugfs", "-R",
                    "cat /qmp4j-workload/counter", raw.toString()).strip().lines().toList();
            String counter = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
            return counter.matches("\\d+") ? Long.parseLong(counter) : 0;
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    private void printChains(List<DiskChain> chains) {
        for (DiskChain chain : chains) {
            out.println("   " + chain.disk().displayName() + ": " + chain.layers().stream()
                    .map(ChainLayer::image).map(p -> p.getFileName().toString()).collect(Collectors.joining(" -> ")));
        }
    }

    private void step(int n, String what) {
        out.println("\n" + n + ". " + what);
    }

    /** Runs a long step with a running clock on the terminal. */
    private <T> T timed(String what, Supplier<T> step) {
        AtomicBoolean done = new AtomicBoolean();
        long start = System.nanoTime();
        Thread clock = new Thread(() -> {
            while (!done.get() && System.console() != null) { // a running clock only on a terminal
                out.printf(Locale.ROOT, "\r   %s ... %.1f s", what, (System.nanoTime() - start) / 1e9);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tour-clock");
        clock.setDaemon(true);
        clock.start();
        try {
            return step.get();
        } finally {
            done.set(true);
            clock.interrupt();
            out.printf(Locale.ROOT, "\r   %s: %.1f s%n", what, (System.nanoTime() - start) / 1e9);
        }
    }
}
