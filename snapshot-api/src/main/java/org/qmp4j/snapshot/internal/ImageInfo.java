package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code ImageInfo}: one image file and, nested, its backing image (only in
 * {@code query-block}; the flat node list leaves it out).
 *
 * @param filename the image file name as QEMU opened it
 * @param format the image's format ({@code qcow2}, {@code raw}, {@code file} for a protocol node)
 * @param virtualSize the guest-visible size
 * @param clusterSize the cluster size, {@code null} for formats without clusters
 * @param backingImage the next image down, {@code null} at the bottom
 */
record ImageInfo(String filename, String format, @JsonProperty("virtual-size") long virtualSize,
                 @JsonProperty("cluster-size") Long clusterSize,
                 @JsonProperty("backing-image") ImageInfo backingImage) {
}
