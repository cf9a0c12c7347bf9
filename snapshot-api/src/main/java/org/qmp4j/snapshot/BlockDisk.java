package org.qmp4j.snapshot;

import java.nio.file.Path;

/**
 * A disk of the running VM as {@code query-block} and {@code query-named-block-nodes} describe it.
 *
 * @param device the {@code -drive} id, or empty for {@code -blockdev} disks
 * @param qdev the guest device's id or QOM path
 * @param node the active (top) node name
 * @param image the active node's image file ({@code null} when it has no file, e.g. an empty CD-ROM)
 * @param format the active node's format driver, e.g. {@code qcow2}, {@code raw}
 * @param virtualSize the disk size in bytes
 * @param clusterSize the qcow2 cluster size in bytes, 0 when not known
 * @param readOnly whether the disk is read-only
 * @param removable whether it is a removable medium (CD-ROM, floppy)
 * @param backingDepth how many backing images lie below the active one
 */
public record BlockDisk(String device, String qdev, String node, Path image, String format, long virtualSize,
                        long clusterSize, boolean readOnly, boolean removable, int backingDepth) {

    /** The name to show: the device name, or the qdev id for {@code -blockdev} disks. */
    public String displayName() {
        return device != null && !device.isEmpty() ? device : shortQdev();
    }

    private String shortQdev() {
        if (qdev == null || qdev.isEmpty()) {
            return node;
        }
        // /machine/peripheral/vd0/virtio-backend -> vd0
        String[] parts = qdev.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("peripheral") || parts[i].equals("peripheral-anon")) {
                return parts[i + 1];
            }
        }
        return qdev;
    }

    /** Whether {@code name} names this disk: device name, qdev id/path, or node name. */
    public boolean matches(String name) {
        return name.equals(device) || name.equals(node) || name.equals(qdev) || name.equals(shortQdev());
    }
}
