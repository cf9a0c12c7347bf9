package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.snapshot.BlockDisk;
import org.qmp4j.snapshot.ChainLayer;
import org.qmp4j.snapshot.DiskChain;

/**
 * Reads the VM's disks and backing chains from {@code query-block} (interim version: node names
 * below the top are not resolved).
 */
public final class BlockDiscovery {
    private BlockDiscovery() {
    }

    /** Every block device with its active node. */
    public static List<BlockDisk> disks(QmpClient qmp) {
        List<BlockDisk> disks = new ArrayList<>();
        for (JsonNode dev : qmp.execute("query-block")) {
            JsonNode in = dev.path("inserted");
            JsonNode image = in.path("image");
            disks.add(new BlockDisk(dev.path("device").asText(""), dev.path("qdev").asText(null),
                    in.path("node-name").asText(null),
                    in.isMissingNode() ? null : Path.of(image.path("filename").asText(in.path("file").asText())),
                    in.path("drv").asText(null), image.path("virtual-size").asLong(0),
                    image.path("cluster-size").asLong(0), in.path("ro").asBoolean(false),
                    dev.path("removable").asBoolean(false), in.path("backing_file_depth").asInt(0)));
        }
        return disks;
    }

    /** Every disk's chain, top first. */
    public static List<DiskChain> chains(QmpClient qmp) {
        List<DiskChain> chains = new ArrayList<>();
        List<BlockDisk> disks = disks(qmp);
        int i = 0;
        for (JsonNode dev : qmp.execute("query-block")) {
            BlockDisk disk = disks.get(i++);
            List<ChainLayer> layers = new ArrayList<>();
            JsonNode image = dev.path("inserted").path("image");
            String node = disk.node();
            while (!image.isMissingNode() && image.has("filename")) {
                layers.add(new ChainLayer(node, Path.of(image.path("filename").asText()), image.path("format").asText()));
                image = image.path("backing-image");
                node = null;
            }
            chains.add(new DiskChain(disk, layers));
        }
        return chains;
    }
}
