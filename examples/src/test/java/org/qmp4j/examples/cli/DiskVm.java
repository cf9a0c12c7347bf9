package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.testkit.HostCommand;
import org.qmp4j.testkit.QemuProcess;

/**
 * A running VM with real disks that starts in a moment: a q35 machine with nothing to boot (the
 * firmware finds no boot device and idles), and empty qcow2 images attached through
 * {@code blockdev-add} (node {@code disk<i>}) and {@code device_add} (virtio-blk {@code vd<i>} on
 * a PCIe root port). A {@code -machine none} QEMU accepts {@code blockdev-add} too, but has no
 * bus for a disk device, and block nodes without a device are not disks to the snapshot API.
 *
 * <p>Holds no QMP connection between calls: the CLI under test needs the socket for itself.
 * {@link #close()} kills QEMU; the images are in the caller's directory.
 */
final class DiskVm implements AutoCloseable {
    private final QemuProcess qemu;
    private final List<Path> images;

    private DiskVm(QemuProcess qemu, List<Path> images) {
        this.qemu = qemu;
        this.images = images;
    }

    /** Creates {@code disks} 16 MiB qcow2 images {@code disk<i>.qcow2} in {@code dir}, attaches them, runs the VM. */
    static DiskVm start(Path dir, int disks) {
        List<String> args = new ArrayList<>(List.of("-machine", "q35,accel=tcg", "-m", "64", "-S"));
        for (int i = 0; i < disks; i++) {
            args.addAll(List.of("-device", "pcie-root-port,id=rp" + i + ",chassis=" + (i + 1)));
        }
        QemuProcess qemu = QemuProcess.start(args);
        try (QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            List<Path> images = new ArrayList<>();
            for (int i = 0; i < disks; i++) {
                Path image = dir.resolve("disk" + i + ".qcow2");
                HostCommand.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "16M");
                qmp.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", "disk" + i,
                        "file", Map.of("driver", "file", "filename", image.toString())));
                qmp.execute("device_add", Map.of("driver", "virtio-blk-pci", "drive", "disk" + i, "id", "vd" + i,
                        "bus", "rp" + i));
                images.add(image);
            }
            qmp.execute("cont");
            return new DiskVm(qemu, List.copyOf(images));
        } catch (RuntimeException e) {
            qemu.close();
            throw e;
        }
    }

    Path qmpSocket() {
        return qemu.qmpSocket();
    }

    /** The images attached, in order. */
    List<Path> images() {
        return images;
    }

    /** Runs one QMP command on a connection of its own. */
    JsonNode execute(String command, Object arguments) {
        try (QmpClient qmp = QmpClient.connect(qemu.qmpSocket())) {
            return qmp.execute(command, arguments);
        }
    }

    /** Names of the block nodes QEMU has now. */
    List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        execute("query-named-block-nodes", null).forEach(n -> names.add(n.path("node-name").asText()));
        return names;
    }

    @Override
    public void close() {
        qemu.close();
    }
}
