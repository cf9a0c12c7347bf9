package org.qmp4j.snapshot.internal;

import static org.qmp4j.core.transport.JsonFields.bool;
import static org.qmp4j.core.transport.JsonFields.intNumber;
import static org.qmp4j.core.transport.JsonFields.nested;
import static org.qmp4j.core.transport.JsonFields.text;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU's {@code BlockDeviceInfo}: one node, as {@code query-block} ({@code inserted}) and
 * {@code query-named-block-nodes} report it.
 *
 * @param nodeName the node name (QEMU generates {@code #blockNNN} for nodes nobody named)
 * @param drv the node's driver: a format ({@code qcow2}), a protocol ({@code file}) or a filter
 * @param ro whether the node is read-only
 * @param backingFileDepth how many backing images lie below (only meaningful in {@code query-block})
 * @param backingFile the backing file name, {@code null} when there is none
 * @param image the node's image, with its backing chain in {@code query-block}
 */
record BlockNodeInfo(@JsonProperty("node-name") String nodeName, String drv, boolean ro,
                     @JsonProperty("backing_file_depth") int backingFileDepth,
                     @JsonProperty("backing_file") String backingFile, ImageInfo image) {

    /** One node of {@code query-named-block-nodes}, or a device's medium in {@code query-block}. */
    static BlockNodeInfo from(JsonNode o) {
        return new BlockNodeInfo(text(o, "node-name"), text(o, "drv"), bool(o, "ro"), intNumber(o, "backing_file_depth"),
                text(o, "backing_file"), nested(o, "image", ImageInfo::from));
    }

    /** The image's (plain) file name, {@code null} when the node reports no image. */
    String filename() {
        return image == null ? null : image.path();
    }
}
