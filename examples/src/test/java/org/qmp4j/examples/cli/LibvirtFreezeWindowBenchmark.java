package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qga.ExecRequest;
import org.qmp4j.qga.GuestAgentClient;
import org.qmp4j.qga.GuestAgentOptions;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.snapshot.LiveSnapshots;
import org.qmp4j.snapshot.QuiescePolicy;
import org.qmp4j.snapshot.SnapshotRequest;
import org.qmp4j.snapshot.SnapshotResult;
import org.qmp4j.testkit.FreezeHookLog;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.PlainJsonLinesClient;
import org.qmp4j.testkit.TestGuest;

/**
 * The freeze window of a quiesced two-disk live snapshot as the guest itself sees it, for four
 * clients in the same run: qmp4j as a library in this (warm) JVM, the {@code qmp4j snapshot} CLI
 * as a new process, a plain-socket client (the least a client can be), and libvirt's
 * {@code virsh snapshot-create-as --disk-only --atomic --quiesce}. The window is read from the
 * guest's fsfreeze hook log ({@code /run/qmp4j-fsfreeze.log}: qemu-ga runs the hook before it
 * freezes and after it thawed; the hook logs the guest's monotonic clock in nanoseconds), so
 * every client is measured by the same clock, in the guest, not by its own account.
 *
 * <p>Two TCG guests run side by side, both with two ext4 disks under the write workload: one
 * started by the test kit for the three qmp4j-side clients (each on its own QMP monitor; the
 * agent channel serves one client at a time, so each snapshot connects its own and lets go),
 * one run by libvirt ({@link LibvirtGuest}; its daemons are started here when none runs). The
 * order of the four clients rotates from round to round. Wall times: the library's
 * {@code take()}, the CLI's and virsh's whole process, the plain client's overlay creation plus
 * window.
 *
 * <p>Not a regular test: run it with {@code scripts/bench-libvirt.sh [ROUNDS]}. It asserts
 * correctness only (every snapshot quiesced and switched, one hook freeze/thaw pair per
 * snapshot); the figures go to stdout and {@code target/freeze-window-vs-libvirt.md}. System
 * properties: {@code qmp4j.bench.rounds} (default 20), {@code qmp4j.bench.warmup} (untimed rounds
 * first, default 1).
 */
class LibvirtFreezeWindowBenchmark {
    private static final int ROUNDS = Integer.getInteger("qmp4j.bench.rounds", 20);
    private static final int WARMUP = Integer.getInteger("qmp4j.bench.warmup", 1);
    private static final int DISKS = 2;
    private static final int DISK_MIB = 64;
    private static final int MEMORY_MIB = 256;
    private static final String HOOK_LOG = FreezeHookLog.PATH;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The clients compared, in the report's order. */
    enum Client {
        LIBRARY("qmp4j library (warm JVM)"), CLI("qmp4j snapshot (CLI)"), PLAIN("plain socket client"),
        LIBVIRT("virsh --quiesce");

        final String label;

        Client(String label) {
            this.label = label;
        }
    }

    /** One snapshot: who took it, its wall time, the window its client reported (or -1), whether timed. */
    private record Run(Client client, long wallNanos, long reportedNanos, boolean timed) {
    }

    @TempDir
    Path work;

    @Test
    void guestSideFreezeWindowOfQmp4jAgainstLibvirt() throws Exception {
        assertThat(ROUNDS).as("qmp4j.bench.rounds").isPositive();
        Path cliMonitor = work.resolve("cli-qmp.sock");
        Path plainMonitor = work.resolve("plain-qmp.sock");
        List<Run> onTestGuest = new ArrayList<>();
        List<Run> onLibvirt = new ArrayList<>();
        String qemuVersion;
        try (ClientResources resources = ClientResources.create();
             TestGuest guest = TestGuest.builder().disks(DISKS).diskSizeMib(DISK_MIB).memoryMib(MEMORY_MIB)
                     .workload(true).extraArgs(
                             "-chardev", "socket,id=climon,path=" + cliMonitor + ",server=on,wait=off",
                             "-mon", "chardev=climon,mode=control",
                             "-chardev", "socket,id=plainmon,path=" + plainMonitor + ",server=on,wait=off",
                             "-mon", "chardev=plainmon,mode=control").start();
             LibvirtGuest libvirt = LibvirtGuest.start("qmp4j-bench-" + ProcessHandle.current().pid(), DISKS,
                     DISK_MIB, MEMORY_MIB);
             QmpClient qmp = QmpClient.connect(QmpOptions.builder(Endpoint.unix(guest.qmpSocket()))
                     .resources(resources).build());
             PlainJsonLinesClient plainQmp = PlainJsonLinesClient.qmp(plainMonitor)) {
            qemuVersion = qmp.greeting().version().toString();
            GuestAgentOptions agent = GuestAgentOptions.builder(Endpoint.unix(guest.agentSocket()))
                    .qmp(qmp).resources(resources).build();
            awaitWorkload(agent, libvirt);
            Clients clients = new Clients(guest, qmp, agent, plainQmp, cliMonitor, libvirt, work);
            Client[] order = Client.values();
            for (int r = -WARMUP, seq = 0; r < ROUNDS; r++, seq++) {
                for (int k = 0; k < order.length; k++) {
                    Client client = order[(seq + k) % order.length];
                    Run run = clients.snapshot(client, seq, r >= 0);
                    (client == Client.LIBVIRT ? onLibvirt : onTestGuest).add(run);
                }
            }
            Map<Client, List<Long>> guestWindows = new EnumMap<>(Client.class);
            collect(onTestGuest, FreezeHookLog.windows(sh(agent, "cat " + HOOK_LOG)), guestWindows);
            collect(onLibvirt, FreezeHookLog.windows(libvirt.readGuestFile(HOOK_LOG)), guestWindows);
            String report = report(qemuVersion, guestWindows, onTestGuest, onLibvirt);
            System.out.println(report);
            Path out = Path.of("target", "freeze-window-vs-libvirt.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        }
    }

    /** The four ways to take the same snapshot; each checks that it happened quiesced. */
    private record Clients(TestGuest guest, QmpClient qmp, GuestAgentOptions agent, PlainJsonLinesClient plainQmp,
                           Path cliMonitor, LibvirtGuest libvirt, Path work) {

        Run snapshot(Client client, int seq, boolean timed) throws Exception {
            return switch (client) {
                case LIBRARY -> library(seq, timed);
                case CLI -> cli(seq, timed);
                case PLAIN -> plain(seq, timed);
                case LIBVIRT -> virsh(seq, timed);
            };
        }

        private Run library(int seq, boolean timed) {
            try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
                long t0 = System.nanoTime();
                SnapshotResult result = LiveSnapshots.of(qmp, ga).take(SnapshotRequest.builder("l" + seq)
                        .quiesce(QuiescePolicy.REQUIRED).build());
                long wall = System.nanoTime() - t0;
                assertThat(result.quiesced()).isTrue();
                assertThat(result.frozenFilesystems()).isEqualTo(DISKS);
                return new Run(Client.LIBRARY, wall, result.freezeWindow().toNanos(), timed);
            }
        }

        private Run cli(int seq, boolean timed) throws Exception {
            Path out = work.resolve("cli-" + seq + ".json");
            Path err = work.resolve("cli-" + seq + ".err");
            ProcessBuilder b = new ProcessBuilder(CliRun.script().toString(), "snapshot", "--qmp",
                    cliMonitor.toString(), "--qga", guest.agentSocket().toString(), "--quiesce", "required",
                    "--name", "c" + seq, "--json").redirectOutput(out.toFile()).redirectError(err.toFile());
            b.environment().put("QMP4J_JAVA_OPTS", "-Dqmp4j.stateDirectory=" + work.resolve("state") + " "
                    + CliRun.schemaCacheOption());
            long t0 = System.nanoTime();
            Process p = b.start();
            int exit = p.waitFor();
            long wall = System.nanoTime() - t0;
            assertThat(exit).as("qmp4j snapshot: %s", Files.readString(err)).isZero();
            JsonNode result = JSON.readTree(out.toFile());
            assertThat(result.path("quiesced").asBoolean()).as("CLI result %s", result).isTrue();
            long reported = Math.round(result.path("freezeWindowMillis").asDouble() * 1_000_000);
            return new Run(Client.CLI, wall, reported, timed);
        }

        /**
         * What a hand-written client does: overlays made outside the window ({@code qemu-img}
         * without opening the base, then {@code blockdev-add} with {@code backing: null}), then
         * freeze, {@code transaction}, thaw, status: four round trips and nothing else.
         */
        private Run plain(int seq, boolean timed) {
            long t0 = System.nanoTime();
            List<Map<String, Object>> actions = new ArrayList<>();
            for (JsonNode disk : plainQmp.command("query-block", null)) {
                JsonNode inserted = disk.path("inserted");
                if (inserted.isMissingNode() || inserted.path("ro").asBoolean()) {
                    continue;
                }
                String overlayNode = "p" + seq + "-" + actions.size();
                Path overlay = guest.dir().resolve(overlayNode + ".qcow2");
                HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", inserted.path("file").asText(),
                        "-F", "qcow2", overlay.toString(), inserted.path("image").path("virtual-size").asText());
                ObjectNode add = (ObjectNode) PlainJsonLinesClient.args(Map.of("driver", "qcow2",
                        "node-name", overlayNode, "file", Map.of("driver", "file", "filename", overlay.toString())));
                plainQmp.command("blockdev-add", add.putNull("backing")); // the transaction attaches it
                actions.add(Map.of("type", "blockdev-snapshot", "data",
                        Map.of("node", inserted.path("node-name").asText(), "overlay", overlayNode)));
            }
            assertThat(actions).hasSize(DISKS);
            JsonNode transaction = PlainJsonLinesClient.args(Map.of("actions", actions));
            long window;
            try (PlainJsonLinesClient ga = PlainJsonLinesClient.agent(guest.agentSocket())) {
                assertThat(ga.command("guest-fsfreeze-status", null).asText()).isEqualTo("thawed");
                long t1 = System.nanoTime();
                assertThat(ga.command("guest-fsfreeze-freeze", null).asInt()).isEqualTo(DISKS);
                try {
                    plainQmp.command("transaction", transaction);
                } finally {
                    ga.command("guest-fsfreeze-thaw", null);
                }
                assertThat(ga.command("guest-fsfreeze-status", null).asText()).isEqualTo("thawed");
                window = System.nanoTime() - t1;
            }
            return new Run(Client.PLAIN, System.nanoTime() - t0, window, timed);
        }

        private Run virsh(int seq, boolean timed) {
            long t0 = System.nanoTime();
            libvirt.snapshot("v" + seq, DISKS);
            long wall = System.nanoTime() - t0;
            assertThat(libvirt.activeImages()).containsEntry("vda", libvirt.overlay("vda", "v" + seq).toString())
                    .containsEntry("vdb", libvirt.overlay("vdb", "v" + seq).toString());
            return new Run(Client.LIBVIRT, wall, -1, timed);
        }
    }

    /** Pairs each snapshot with its hook window, in order, keeping the timed ones. */
    private static void collect(List<Run> runs, List<Long> windows, Map<Client, List<Long>> into) {
        assertThat(windows).as("one hook freeze/thaw per snapshot").hasSameSizeAs(runs);
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).timed()) {
                into.computeIfAbsent(runs.get(i).client(), c -> new ArrayList<>()).add(windows.get(i));
            }
        }
    }

    private static String report(String qemu, Map<Client, List<Long>> guestWindows, List<Run> onTestGuest,
                                 List<Run> onLibvirt) {
        List<Run> all = new ArrayList<>(onTestGuest);
        all.addAll(onLibvirt);
        StringBuilder s = new StringBuilder();
        s.append("## Guest-side freeze window: qmp4j against libvirt (").append(ROUNDS).append(" snapshots each, ")
                .append(WARMUP).append(" warm-up round)\n\n");
        s.append("QEMU ").append(qemu).append(", ").append(LibvirtGuest.version()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(DISKS)
                .append(" ext4 disks under write load per guest, TCG\n\n");
        s.append("| client | guest window median | p90 | min | max | client's own window median | wall median |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|\n");
        Map<Client, Double> medians = new EnumMap<>(Client.class);
        Map<Client, Double> walls = new EnumMap<>(Client.class);
        for (Client c : Client.values()) {
            List<Long> g = sorted(guestWindows.get(c));
            List<Long> reported = sorted(all.stream().filter(r -> r.client() == c && r.timed() && r.reportedNanos() >= 0)
                    .map(Run::reportedNanos).toList());
            List<Long> wall = sorted(all.stream().filter(r -> r.client() == c && r.timed()).map(Run::wallNanos).toList());
            medians.put(c, ms(pick(g, 0.5)));
            walls.put(c, ms(pick(wall, 0.5)));
            s.append("| ").append(c.label).append(" | ").append(fmt(ms(pick(g, 0.5)))).append(" | ")
                    .append(fmt(ms(pick(g, 0.9)))).append(" | ").append(fmt(ms(g.get(0)))).append(" | ")
                    .append(fmt(ms(g.get(g.size() - 1)))).append(" | ")
                    .append(reported.isEmpty() ? "n/a" : fmt(ms(pick(reported, 0.5)))).append(" | ")
                    .append(fmt(walls.get(c))).append(" |\n");
        }
        s.append("\nAll times in ms. Ratios of the guest window medians: CLI / library ")
                .append(ratio(medians, Client.CLI, Client.LIBRARY)).append(" (target at most 1.05); library / libvirt ")
                .append(ratio(medians, Client.LIBRARY, Client.LIBVIRT)).append("; plain / libvirt ")
                .append(ratio(medians, Client.PLAIN, Client.LIBVIRT)).append(". Wall: CLI / virsh ")
                .append(ratio(walls, Client.CLI, Client.LIBVIRT)).append(" (target at most 3).\n");
        s.append("\nGuest windows, in run order (ms):\n");
        for (Client c : Client.values()) {
            s.append("- ").append(c.label).append(": ").append(guestWindows.get(c).stream()
                    .map(n -> fmt(ms(n))).toList()).append('\n');
        }
        return s.toString();
    }

    private static String ratio(Map<Client, Double> values, Client a, Client b) {
        return String.format(Locale.ROOT, "%.3f", values.get(a) / values.get(b));
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }

    private static long pick(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(quantile * sorted.size())));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String fmt(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }

    /** Both workloads must be writing before the first round, so that every freeze has work to do. */
    private static void awaitWorkload(GuestAgentOptions agent, LibvirtGuest libvirt) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
            for (String mount : List.of("/mnt/vda", "/mnt/vdb")) {
                String counter = mount + "/qmp4j-workload/counter";
                while (count(sh(ga, "cat " + counter + " 2>/dev/null || echo 0")) < 5
                        || count(libvirtCounter(libvirt, counter)) < 5) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the guests' write workloads did not start");
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private static String libvirtCounter(LibvirtGuest libvirt, String path) {
        try {
            return libvirt.readGuestFile(path);
        } catch (RuntimeException notYet) {
            return "0";
        }
    }

    private static long count(String text) {
        String t = text.trim();
        return t.isEmpty() ? 0 : Long.parseLong(t.split("\\s+")[0]);
    }

    private static String sh(GuestAgentOptions agent, String line) {
        try (GuestAgentClient ga = GuestAgentClient.connect(agent)) {
            return sh(ga, line);
        }
    }

    private static String sh(GuestAgentClient ga, String line) {
        return ga.exec(ExecRequest.of("/bin/sh", "-c", line)).stdoutText();
    }
}
