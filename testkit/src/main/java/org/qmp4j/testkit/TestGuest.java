package org.qmp4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real throwaway Linux guest under TCG for integration tests: the kernel and initramfs of a
 * {@link GuestImage} (built by the script inside this jar), N ext4 data disks (qcow2, in a temp dir), a QMP socket and
 * an agent socket. {@link #start()} returns once the guest has booted and, when the agent is on,
 * the guest has opened the agent channel. {@link #close()} kills QEMU and deletes every file it
 * made; disk images the caller gave ({@link Builder#diskImages(List)}) belong to the caller and stay.
 *
 * <p>Inside the guest, disk {@code i} is {@code /dev/vd<a+i>} mounted at {@code /mnt/vd<a+i>}.
 * With {@code -incoming} among the extra arguments, the guest is restored from a saved state
 * instead of booting, and is ready once loaded and resumed.
 * Each disk is attached with {@code -blockdev}: format node {@code disk<i>} on file node
 * {@code disk<i>-file}, device {@code vd<i>}.
 */
public final class TestGuest implements AutoCloseable {
    /** How long a boot may take on a loaded 2-core machine (it takes about 7 s when idle). */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    /** The agent chardev's id. */
    public static final String AGENT_CHARDEV = "qga0";
    private static final String READY_MARKER = "QMP4J-GUEST-READY";

    private static final Map<Path, GuestImage> IMAGES = new HashMap<>();

    private final Options options;
    private final Path dir;
    private final List<Path> disks;
    private final QemuProcess qemu;

    private TestGuest(Options options, Path dir, List<Path> disks, QemuProcess qemu) {
        this.options = options;
        this.dir = dir;
        this.disks = disks;
        this.qemu = qemu;
    }

    /**
     * Guest settings; immutable, built with {@link #builder()}.
     *
     * @param diskImages existing images to attach instead of fresh disks (empty: {@code disks} fresh ones)
     * @param guestCache where the guest image is cached, or {@code null} for {@link GuestImage#defaultCacheDir()}
     * @param agentBlocked commands the guest's qemu-ga is started without ({@code -b}), as some
     *        distributions ship it
     */
    public record Options(int disks, int diskSizeMib, boolean agent, boolean workload, int memoryMib,
                          List<String> extraArgs, List<Path> diskImages, Path guestCache, List<String> agentBlocked) {
        public Options {
            extraArgs = List.copyOf(extraArgs);
            diskImages = List.copyOf(diskImages);
            agentBlocked = List.copyOf(agentBlocked);
            for (String command : agentBlocked) {
                if (!command.matches("[a-z0-9-]+")) {
                    throw new IllegalArgumentException("not an agent command name: " + command);
                }
            }
            if (!diskImages.isEmpty()) {
                disks = diskImages.size();
            }
        }

        /** Settings with fresh disks (the constructor before {@code diskImages} existed). */
        public Options(int disks, int diskSizeMib, boolean agent, boolean workload, int memoryMib,
                       List<String> extraArgs) {
            this(disks, diskSizeMib, agent, workload, memoryMib, extraArgs, List.of(), null, List.of());
        }

        /** Settings with an agent that blocks nothing (the constructor before {@code agentBlocked} existed). */
        public Options(int disks, int diskSizeMib, boolean agent, boolean workload, int memoryMib,
                       List<String> extraArgs, List<Path> diskImages, Path guestCache) {
            this(disks, diskSizeMib, agent, workload, memoryMib, extraArgs, diskImages, guestCache, List.of());
        }
    }

    /** A builder with defaults: 1 disk of 64 MiB, agent on, no workload, 256 MiB RAM. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of a {@link TestGuest}. */
    public static final class Builder {
        private int disks = 1;
        private int diskSizeMib = 64;
        private Path guestCache;
        private boolean agent = true;
        private boolean workload;
        private int memoryMib = 256;
        private final List<String> extraArgs = new ArrayList<>();
        private final List<Path> diskImages = new ArrayList<>();
        private final List<String> agentBlocked = new ArrayList<>();

        public Builder disks(int n) {
            this.disks = n;
            return this;
        }

        public Builder diskSizeMib(int mib) {
            this.diskSizeMib = mib;
            return this;
        }

        /** Whether the guest runs qemu-ga (the channel exists either way). */
        public Builder agent(boolean on) {
            this.agent = on;
            return this;
        }

        /** Whether the guest writes continuously to every data disk. */
        public Builder workload(boolean on) {
            this.workload = on;
            return this;
        }

        public Builder memoryMib(int mib) {
            this.memoryMib = mib;
            return this;
        }

        /**
         * Attaches these existing qcow2 images (in order, as disk 0, 1, ...) instead of creating
         * fresh disks. They belong to the caller: {@link TestGuest#close()} does not delete them.
         */
        public Builder diskImages(List<Path> images) {
            this.diskImages.clear();
            this.diskImages.addAll(images);
            return this;
        }

        /** Starts the guest's qemu-ga with these commands blocked ({@code -b}), as some distributions do. */
        public Builder agentBlocked(String... commands) {
            this.agentBlocked.addAll(List.of(commands));
            return this;
        }

        /** Where the guest image is cached (default: {@link GuestImage#defaultCacheDir()}). */
        public Builder guestCache(Path dir) {
            this.guestCache = dir;
            return this;
        }

        /** Extra QEMU arguments. */
        public Builder extraArgs(String... args) {
            this.extraArgs.addAll(List.of(args));
            return this;
        }

        public Options options() {
            return new Options(disks, diskSizeMib, agent, workload, memoryMib, extraArgs, diskImages, guestCache,
                    agentBlocked);
        }

        /** Boots the guest and waits until it is ready. */
        public TestGuest start() {
            return TestGuest.start(options());
        }
    }

    /** Boots a guest with these options and waits until it is ready. */
    public static TestGuest start(Options options) {
        GuestImage img = image(options);
        Path dir = null;
        QemuProcess qemu = null;
        try {
            dir = Files.createTempDirectory("qmp4j-guest-");
            List<Path> disks = new ArrayList<>();
            for (Path image : options.diskImages()) {
                disks.add(image.toAbsolutePath());
            }
            for (int i = disks.size(); i < options.disks(); i++) {
                disks.add(createExt4Disk(dir, "disk" + i, options.diskSizeMib()));
            }
            qemu = QemuProcess.start(qemuArgs(options, dir, img, disks));
            TestGuest guest = new TestGuest(options, dir, disks, qemu);
            guest.awaitReady();
            return guest;
        } catch (IOException | RuntimeException e) {
            String console = dir == null ? "" : readQuietly(dir.resolve("console.log"));
            if (qemu != null) {
                qemu.close();
            }
            QemuProcess.deleteRecursively(dir);
            throw new IllegalStateException("test guest did not start: " + e.getMessage()
                    + (console.isEmpty() ? "" : "\n--- console ---\n" + tail(console)), e);
        }
    }

    private static List<String> qemuArgs(Options options, Path dir, GuestImage img, List<Path> disks) {
        String append = "console=ttyS0 quiet panic=-1 qmp4j.agent=" + (options.agent() ? 1 : 0)
                + " qmp4j.workload=" + (options.workload() ? 1 : 0)
                + (options.agentBlocked().isEmpty() ? "" : " qmp4j.agent_block=" + String.join(",", options.agentBlocked()));
        List<String> args = new ArrayList<>(List.of(
                "-machine", "q35,accel=tcg", "-m", String.valueOf(options.memoryMib()), "-no-reboot",
                "-kernel", img.kernel().toString(), "-initrd", img.initrd().toString(),
                "-append", append,
                "-serial", "file:" + dir.resolve("console.log"),
                "-device", "virtio-serial-pci,id=vser0",
                "-chardev", "socket,id=" + AGENT_CHARDEV + ",path=" + dir.resolve("qga.sock") + ",server=on,wait=off",
                "-device", "virtserialport,chardev=" + AGENT_CHARDEV + ",name=org.qemu.guest_agent.0,id=qga-port"));
        for (int i = 0; i < disks.size(); i++) {
            args.addAll(List.of(
                    "-blockdev", "driver=file,filename=" + disks.get(i) + ",node-name=disk" + i + "-file",
                    "-blockdev", "driver=qcow2,file=disk" + i + "-file,node-name=disk" + i,
                    "-device", "virtio-blk-pci,drive=disk" + i + ",id=vd" + i));
        }
        args.addAll(options.extraArgs());
        return args;
    }

    /** An ext4 file system in a qcow2 image: mkfs on a sparse raw file, then convert. */
    public static Path createExt4Disk(Path dir, String name, int sizeMib) {
        Path raw = dir.resolve(name + ".raw");
        Path qcow2 = dir.resolve(name + ".qcow2");
        HostCommand.run(Duration.ofSeconds(60), "mkfs.ext4", "-q", "-F", "-L", name, raw.toString(), sizeMib + "M");
        HostCommand.run(Duration.ofSeconds(60), "qemu-img", "convert", "-f", "raw", "-O", "qcow2",
                raw.toString(), qcow2.toString());
        try {
            Files.delete(raw);
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + raw, e);
        }
        return qcow2;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        if (options.extraArgs().contains("-incoming")) {
            // Restored from a saved state: it does not boot (no console marker). A state saved from
            // a paused VM loads paused: resume it once loaded.
            String status;
            while ((status = status()).equals("inmigrate")) {
                checkAlive(deadline, "the saved state to load");
                sleep(100);
            }
            try (PlainJsonLinesClient qmp = PlainJsonLinesClient.qmp(qmpSocket())) {
                if (!status.equals("running")) {
                    qmp.command("cont", null);
                }
            }
        } else {
            Path console = dir.resolve("console.log");
            while (!readQuietly(console).contains(READY_MARKER)) {
                checkAlive(deadline, "the guest to boot");
                sleep(100);
            }
        }
        if (options.agent()) {
            while (!agentChannelOpen()) {
                checkAlive(deadline, "the guest to open the agent channel");
                sleep(100);
            }
        }
    }

    private void checkAlive(long deadline, String what) {
        if (!qemu.process().isAlive()) {
            throw new IllegalStateException("QEMU exited while waiting for " + what + ": " + qemu.log());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out after " + BOOT_TIMEOUT.toSeconds() + " s waiting for " + what);
        }
    }

    private String status() {
        try (PlainJsonLinesClient qmp = PlainJsonLinesClient.qmp(qmpSocket())) {
            return qmp.command("query-status", null).path("status").asText();
        }
    }

    /** Asks QMP whether the guest opened the agent's virtio port (qemu-ga runs). */
    public boolean agentChannelOpen() {
        try (PlainJsonLinesClient qmp = PlainJsonLinesClient.qmp(qmpSocket())) {
            for (JsonNode c : qmp.command("query-chardev", null)) {
                if (c.path("label").asText().equals(AGENT_CHARDEV)) {
                    return c.path("frontend-open").asBoolean(false);
                }
            }
            return false;
        }
    }

    /** The guest image, built (or found current) once per JVM, in the cache the options name. */
    private static synchronized GuestImage image(Options options) {
        Path cache = options.guestCache() != null ? options.guestCache() : GuestImage.defaultCacheDir();
        return IMAGES.computeIfAbsent(cache.toAbsolutePath(), GuestImage::build);
    }

    public Options options() {
        return options;
    }

    /** The QMP socket (one client at a time). */
    public Path qmpSocket() {
        return qemu.qmpSocket();
    }

    /** The host end of the agent channel. */
    public Path agentSocket() {
        return dir.resolve("qga.sock");
    }

    /** The data disk images, in order (the caller's own, when it gave them). */
    public List<Path> disks() {
        return disks;
    }

    /** The guest's temp directory (disk images, sockets, console log): deleted on close. */
    public Path dir() {
        return dir;
    }

    /** Everything the guest printed on its console so far. */
    public String console() {
        return readQuietly(dir.resolve("console.log"));
    }

    public QemuProcess qemu() {
        return qemu;
    }

    @Override
    public void close() {
        try {
            qemu.kill();
        } finally {
            qemu.close();
            QemuProcess.deleteRecursively(dir);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
