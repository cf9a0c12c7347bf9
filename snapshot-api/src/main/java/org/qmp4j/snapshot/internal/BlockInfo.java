package org.qmp4j.snapshot.internal;

/**
 * One entry of {@code query-block}: a block backend, usually a guest device's disk.
 *
 * @param device the {@code -drive} id, empty or {@code null} for {@code -blockdev} disks
 * @param qdev the guest device's id or QOM path, {@code null} for a backend without a device
 * @param removable whether the medium can be changed (CD-ROM, floppy)
 * @param inserted the medium's top node, {@code null} when the drive is empty
 */
record BlockInfo(String device, String qdev, boolean removable, BlockNodeInfo inserted) {
}
