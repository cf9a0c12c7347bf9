package org.qmp4j.snapshot.internal;

import static org.qmp4j.core.transport.JsonFields.bool;
import static org.qmp4j.core.transport.JsonFields.nested;
import static org.qmp4j.core.transport.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of {@code query-block}: a block backend, usually a guest device's disk.
 *
 * @param device the {@code -drive} id, empty or {@code null} for {@code -blockdev} disks
 * @param qdev the guest device's id or QOM path, {@code null} for a backend without a device
 * @param removable whether the medium can be changed (CD-ROM, floppy)
 * @param inserted the medium's top node, {@code null} when the drive is empty
 */
record BlockInfo(String device, String qdev, boolean removable, BlockNodeInfo inserted) {
    /** One element of {@code query-block}'s reply. */
    static BlockInfo from(JsonNode o) {
        return new BlockInfo(text(o, "device"), text(o, "qdev"), bool(o, "removable"),
                nested(o, "inserted", BlockNodeInfo::from));
    }
}
