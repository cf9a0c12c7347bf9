package org.qmp4j.qga;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One mounted file system from {@code guest-get-fsinfo}.
 *
 * @param name the device name in the guest (e.g. {@code vda})
 * @param mountpoint where it is mounted
 * @param type the file system type (e.g. {@code ext4})
 * @param usedBytes bytes used, when the agent reports it
 * @param totalBytes size, when the agent reports it
 * @param disks the disks beneath it
 */
public record FsInfo(String name, String mountpoint, String type,
                     @JsonProperty("used-bytes") Long usedBytes,
                     @JsonProperty("total-bytes") Long totalBytes,
                     @JsonProperty("disk") List<Disk> disks) {
    public FsInfo {
        disks = disks == null ? List.of() : List.copyOf(disks);
    }

    /**
     * A disk address as the guest sees it.
     *
     * @param dev the device node, e.g. {@code /dev/vda}
     * @param busType e.g. {@code virtio}, {@code scsi}
     * @param serial the disk serial, when set
     */
    public record Disk(String dev, @JsonProperty("bus-type") String busType, String serial) {
    }
}
