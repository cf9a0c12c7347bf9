package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.qmp4j.testkit.GuestImage;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;
import org.qmp4j.testkit.TestGuest;

/**
 * The test guest run by libvirt instead of qmp4j, for benchmarks against {@code virsh}: the same
 * kernel, initramfs, kernel command line, memory and ext4 qcow2 data disks as {@link TestGuest},
 * as a transient domain of the system daemon. The daemons ({@code virtlogd}, {@code libvirtd})
 * are started here when none runs, and stopped again on close; so is the domain, and its
 * directory is deleted. QEMU runs as root (a static DAC label): the guest image lives in root's
 * cache, which libvirt's own user cannot read.
 */
final class LibvirtGuest implements AutoCloseable {
    private static final String URI = "qemu:///system";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration VIRSH_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path dir;
    private final List<Process> daemons;

    private LibvirtGuest(String name, Path dir, List<Process> daemons) {
        this.name = name;
        this.dir = dir;
        this.daemons = daemons;
    }

    /** Boots the guest with {@code disks} data disks and the write workload, and waits for its agent. */
    static LibvirtGuest start(String name, int disks, int diskSizeMib, int memoryMib) throws IOException {
        List<Process> daemons = startDaemonsIfNeeded();
        Path dir = Files.createTempDirectory("qmp4j-libvirt-");
        LibvirtGuest guest = new LibvirtGuest(name, dir, daemons);
        try {
            GuestImage image = GuestImage.build();
            StringBuilder disksXml = new StringBuilder();
            for (int i = 0; i < disks; i++) {
                Path disk = TestGuest.createExt4Disk(dir, "vd" + (char) ('a' + i), diskSizeMib);
                disksXml.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='")
                        .append(disk).append("'/><target dev='vd").append((char) ('a' + i))
                        .append("' bus='virtio'/></disk>\n");
            }
            String xml = """
                    <domain type='qemu'>
                      <name>%s</name>
                      <memory unit='MiB'>%d</memory>
                      <vcpu>1</vcpu>
                      <os><type arch='x86_64' machine='q35'>hvm</type>
                        <kernel>%s</kernel><initrd>%s</initrd>
                        <cmdline>console=ttyS0 quiet panic=-1 qmp4j.agent=1 qmp4j.workload=1</cmdline></os>
                      <features><acpi/></features>
                      <on_reboot>destroy</on_reboot>
                      <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
                      <devices>
                        %s
                        <serial type='file'><source path='%s'/><target port='0'/></serial>
                        <channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
                        <memballoon model='none'/>
                      </devices>
                    </domain>
                    """.formatted(name, memoryMib, image.kernel(), image.initrd(), disksXml, guest.console());
            // <features><acpi/>: without it libvirt 9.0 passes -no-acpi, which QEMU 9.0 and later reject.
            Path domain = dir.resolve("domain.xml");
            Files.writeString(domain, xml);
            virsh("create", domain.toString());
            guest.awaitReady();
            return guest;
        } catch (IOException | RuntimeException e) {
            guest.close();
            throw e;
        }
    }

    /** The directory of the domain's files (disks, console log); deleted on close. */
    Path dir() {
        return dir;
    }

    /**
     * {@code virsh snapshot-create-as --disk-only --atomic --quiesce --no-metadata}, each disk's
     * overlay in {@link #dir()} as {@code <disk>.<snapshot>} ({@link #overlay}).
     */
    void snapshot(String snapshot, int disks) {
        List<String> args = new ArrayList<>(List.of("snapshot-create-as", name, snapshot, "--disk-only", "--atomic",
                "--quiesce", "--no-metadata"));
        for (int i = 0; i < disks; i++) {
            String dev = "vd" + (char) ('a' + i);
            args.addAll(List.of("--diskspec", dev + ",file=" + overlay(dev, snapshot)));
        }
        virsh(args.toArray(String[]::new));
    }

    /** Where {@link #snapshot} puts disk {@code dev}'s overlay. */
    Path overlay(String dev, String snapshot) {
        return dir.resolve(dev + "." + snapshot);
    }

    /** The image each disk writes to now, by target ({@code vda}, ...): {@code virsh domblklist}. */
    Map<String, String> activeImages() {
        Map<String, String> images = new java.util.TreeMap<>();
        for (String line : virsh("domblklist", name).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                images.put(f[0], f[1]);
            }
        }
        return images;
    }

    /** The whole text of a file in the guest, through the agent ({@code guest-file-*}). */
    String readGuestFile(String path) {
        long handle = agent("guest-file-open", Map.of("path", path)).asLong();
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                JsonNode chunk = agent("guest-file-read", Map.of("handle", handle, "count", 65536));
                text.append(new String(Base64.getDecoder().decode(chunk.path("buf-b64").asText()),
                        StandardCharsets.UTF_8));
                if (chunk.path("eof").asBoolean() || chunk.path("count").asInt() == 0) {
                    return text.toString();
                }
            }
        } finally {
            agent("guest-file-close", Map.of("handle", handle));
        }
    }

    /** libvirt's version line, e.g. {@code Using library: libvirt 9.0.0}. */
    static String version() {
        return virsh("version").lines().filter(l -> l.startsWith("Using library")).findFirst().orElse("?").trim();
    }

    private Path console() {
        return dir.resolve("console.log");
    }

    private JsonNode agent(String command, Map<String, Object> arguments) {
        try {
            String request = JSON.writeValueAsString(Map.of("execute", command, "arguments", arguments));
            return JSON.readTree(virsh("qemu-agent-command", name, request)).path("return");
        } catch (IOException e) {
            throw new UncheckedIOException(command + ": unreadable reply", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the libvirt guest did not boot in " + BOOT_TIMEOUT.toSeconds() + " s");
            }
            if (readQuietly(console()).contains("QMP4J-GUEST-READY")) {
                try {
                    virsh("qemu-agent-command", name, "{\"execute\":\"guest-ping\"}");
                    return;
                } catch (RuntimeException notYet) {
                    // the agent is not listening yet
                }
            }
            pause(200);
        }
    }

    @Override
    public void close() {
        try {
            HostCommand.run(VIRSH_TIMEOUT, "virsh", "-q", "-c", URI, "destroy", name);
        } catch (RuntimeException gone) {
            // not running (it never started, or it ended)
        }
        for (int i = daemons.size() - 1; i >= 0; i--) { // libvirtd before the virtlogd it logs to
            Process daemon = daemons.get(i);
            daemon.destroy();
            try {
                daemon.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        QemuProcess.deleteRecursively(dir);
    }

    private static String virsh(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        command.addAll(List.of(args));
        return HostCommand.run(VIRSH_TIMEOUT, command.toArray(String[]::new));
    }

    /**
     * Starts {@code virtlogd} and {@code libvirtd} in the foreground as children of this JVM when
     * the daemon does not answer (there is no systemd here), so that close can stop them.
     */
    private static List<Process> startDaemonsIfNeeded() throws IOException {
        List<Process> started = new ArrayList<>();
        if (answers()) {
            return started;
        }
        try {
            for (String daemon : List.of("virtlogd", "libvirtd")) {
                started.add(new ProcessBuilder("/usr/sbin/" + daemon).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!answers()) {
                if (System.nanoTime() > deadline || !started.stream().allMatch(Process::isAlive)) {
                    throw new IllegalStateException("libvirtd did not come up");
                }
                pause(200);
            }
            return started;
        } catch (IOException | RuntimeException e) {
            started.forEach(Process::destroy);
            throw e;
        }
    }

    private static boolean answers() {
        try {
            HostCommand.run(Duration.ofSeconds(10), "virsh", "-q", "-c", URI, "uri");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
