package org.qmp4j.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qmp4j.qmp.EventFilter;
import org.qmp4j.qmp.QmpClient;

/**
 * An external snapshot of one node, made by hand with QMP for tests that need an overlay on a
 * running VM: file node {@code X-f} ({@code blockdev-add}), qcow2 image on it with the old top as
 * backing ({@code blockdev-create}), format node {@code X} with {@code backing: null}, then
 * {@code blockdev-snapshot}. No freeze, no undo: tests only.
 */
final class ManualOverlay {
    private ManualOverlay() {
    }

    /** Puts a new overlay {@code file} (node {@code name}) on top of node {@code top}; returns the file. */
    static Path create(QmpClient qmp, String top, Path file, String name) {
        JsonNode base = node(qmp, top);
        try {
            Files.createFile(file); // the file driver opens, it does not create
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        qmp.execute("blockdev-add", Map.of("driver", "file", "filename", file.toString(), "node-name", name + "-f"));
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("driver", "qcow2");
        options.put("file", name + "-f");
        options.put("size", base.path("image").path("virtual-size").asLong());
        options.put("backing-file", base.path("image").path("filename").asText());
        options.put("backing-fmt", base.path("drv").asText());
        String job = "create-" + name;
        qmp.executeAndAwaitEvent("blockdev-create", Map.of("job-id", job, "options", options),
                EventFilter.named("JOB_STATUS_CHANGE", "id", job).and(EventFilter.dataEquals("status", "concluded")),
                Duration.ofSeconds(60));
        JsonNode jobs = qmp.execute("query-jobs");
        for (JsonNode j : jobs) {
            if (j.path("id").asText().equals(job) && j.has("error")) {
                throw new IllegalStateException("blockdev-create failed: " + j.path("error").asText());
            }
        }
        qmp.execute("job-dismiss", Map.of("id", job));
        Map<String, Object> overlay = new LinkedHashMap<>();
        overlay.put("driver", "qcow2");
        overlay.put("node-name", name);
        overlay.put("file", name + "-f");
        overlay.put("backing", null);
        qmp.execute("blockdev-add", overlay);
        qmp.execute("blockdev-snapshot", Map.of("node", top, "overlay", name));
        return file;
    }

    /** The {@code query-named-block-nodes} entry of node {@code name}. */
    static JsonNode node(QmpClient qmp, String name) {
        for (JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (n.path("node-name").asText().equals(name)) {
                return n;
            }
        }
        throw new IllegalStateException("no node " + name);
    }

    /** Whether a node of that name exists. */
    static boolean exists(QmpClient qmp, String name) {
        for (JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (n.path("node-name").asText().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
