package org.qmp4j.snapshot.internal;

import static org.qmp4j.core.transport.JsonFields.nested;
import static org.qmp4j.core.transport.JsonFields.number;
import static org.qmp4j.core.transport.JsonFields.optionalNumber;
import static org.qmp4j.core.transport.JsonFields.text;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.transport.Json;

/**
 * QEMU's {@code ImageInfo}: one image file and, nested, its backing image (only in
 * {@code query-block}; the flat node list leaves it out).
 *
 * @param filename the image file name as QEMU reports it (see {@link #path()})
 * @param format the image's format ({@code qcow2}, {@code raw}, {@code file} for a protocol node)
 * @param virtualSize the guest-visible size
 * @param clusterSize the cluster size, {@code null} for formats without clusters
 * @param backingImage the next image down, {@code null} at the bottom
 */
record ImageInfo(String filename, String format, @JsonProperty("virtual-size") long virtualSize,
                 @JsonProperty("cluster-size") Long clusterSize,
                 @JsonProperty("backing-image") ImageInfo backingImage) {
    private static final String JSON_PREFIX = "json:";

    /** An image as {@code query-block} and {@code query-named-block-nodes} report it, with its backing images. */
    static ImageInfo from(JsonNode o) {
        return new ImageInfo(text(o, "filename"), text(o, "format"), number(o, "virtual-size"),
                optionalNumber(o, "cluster-size"), nested(o, "backing-image", ImageInfo::from));
    }

    /**
     * The file name, made plain where QEMU could not: when a node's options cannot be written as
     * a file name (e.g. a backing node given explicitly, on blkdebug), QEMU reports
     * {@code json:{...,"file":{"driver":"file","filename":"/x"}}}; then this is {@code /x}.
     */
    String path() {
        return plain(filename);
    }

    /**
     * Whether {@code filename} stays a {@code json:} name even made plain: QEMU's own name for a
     * node whose options it could not write as a file name, and which it cuts at 4 KiB. A chain
     * of overlays opened through fd sets gets such names, one nesting level per layer, and about
     * 45 layers fill the 4 KiB; then the node's file child knows its file.
     */
    static boolean unreadable(String filename) {
        String plain = plain(filename);
        return plain != null && plain.startsWith(JSON_PREFIX);
    }

    static String plain(String filename) {
        if (filename == null || !filename.startsWith(JSON_PREFIX)) {
            return filename;
        }
        try {
            JsonNode file = JsonTrees.read(Json.FACTORY, filename.substring(JSON_PREFIX.length())).path("file");
            JsonNode name = file.path("filename");
            return file.path("driver").asText().equals("file") && name.isTextual() ? name.asText() : filename;
        } catch (IOException e) {
            return filename;
        }
    }
}
