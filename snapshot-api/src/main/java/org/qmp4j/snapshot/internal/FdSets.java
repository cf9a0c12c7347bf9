package org.qmp4j.snapshot.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.Endpoint;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.qmp.FdSetEntry;
import org.qmp4j.qmp.QmpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overlay files handed to QEMU as descriptors: each in an fd set of its own ({@code add-fd}),
 * opened by QEMU as {@code /dev/fdset/N}. The set's {@code opaque} carries the file's path, so
 * the block layer's answers (which say {@code /dev/fdset/N}) are read with the real names, and a
 * set stays until no node uses it any more: QEMU reopens a node's file through its set.
 */
final class FdSets {
    private static final Logger LOG = LoggerFactory.getLogger(FdSets.class);
    /** Marks the sets qmp4j made; the path follows. */
    static final String OPAQUE_PREFIX = "qmp4j:";
    private static final String DEVICE_PREFIX = "/dev/fdset/";
    private static final Pattern DEVICE = Pattern.compile("/dev/fdset/(\\d{1,18})(?!\\d)");
    private static final List<String> NAME_FIELDS = List.of("filename", "backing-filename", "full-backing-filename",
            "backing_file");

    private FdSets() {
    }

    /** Whether this connection can pass descriptors (a UNIX socket; QMP over TCP cannot). */
    static boolean canPass(QmpClient qmp) {
        return qmp.options().endpoint() instanceof Endpoint.Unix;
    }

    /** Passes {@code file} to QEMU in a new fd set; returns the name QEMU opens it by. */
    static String pass(QmpClient qmp, NewFile file) throws IOException {
        FdSetEntry entry = qmp.addFd(file.descriptor(), null, OPAQUE_PREFIX + file.path());
        return DEVICE_PREFIX + entry.fdsetId();
    }

    /**
     * Removes every fd set of qmp4j that no node uses (those of nodes just deleted, or of a
     * controller that died between {@code add-fd} and {@code blockdev-add}); returns how many.
     * Each of them keeps a file open in QEMU: an overlay deleted meanwhile keeps its space.
     */
    static int releaseUnused(QmpClient qmp) {
        Map<Long, String> ours = ours(qmp.execute("query-fdsets"));
        if (ours.isEmpty()) {
            return 0;
        }
        Set<Long> used = new HashSet<>();
        Matcher m = DEVICE.matcher(JsonTrees.toText(qmp.execute("query-named-block-nodes")));
        while (m.find()) {
            used.add(Long.parseLong(m.group(1)));
        }
        int released = 0;
        for (Long id : ours.keySet()) {
            if (!used.contains(id)) {
                try {
                    qmp.removeFd(id, null);
                    released++;
                } catch (CommandException e) {
                    LOG.warn("cannot remove fd set {} ({}): {}", id, ours.get(id), e.getMessage());
                }
            }
        }
        return released;
    }

    /** The path of each of qmp4j's fd sets in a {@code query-fdsets} reply. */
    static Map<Long, String> ours(JsonNode fdsets) {
        Map<Long, String> paths = new HashMap<>();
        for (JsonNode set : fdsets) {
            for (JsonNode fd : set.path("fds")) {
                String opaque = fd.path("opaque").asText("");
                if (opaque.startsWith(OPAQUE_PREFIX) && set.path("fdset-id").canConvertToLong()) {
                    paths.put(set.path("fdset-id").asLong(), opaque.substring(OPAQUE_PREFIX.length()));
                }
            }
        }
        return paths;
    }

    /** Whether {@code reply} names any {@code /dev/fdset/N} (then {@link #rename} is worth a query). */
    static boolean mentionsFdSet(JsonNode reply) {
        if (reply.isArray()) {
            for (JsonNode element : reply) {
                if (mentionsFdSet(element)) {
                    return true;
                }
            }
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = reply.fields(); it.hasNext(); ) { // none unless an object
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isTextual() ? NAME_FIELDS.contains(field.getKey()) && value.asText().contains(DEVICE_PREFIX)
                    : mentionsFdSet(value)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rewrites, in place, the file names in a block layer reply: {@code /dev/fdset/N} of one of
     * {@code paths} becomes that path, also inside {@code json:{...}} names (escaped for JSON).
     * A scan, not a regular expression: in a long chain's nested {@code json:} names this runs
     * for every layer of every node, and it was a tenth of a snapshot's CPU.
     */
    static void rename(JsonNode reply, Map<Long, String> paths) {
        if (!paths.isEmpty()) {
            rename(reply, paths, new HashMap<>());
        }
    }

    private static void rename(JsonNode reply, Map<Long, String> paths, Map<Long, String> escaped) {
        if (reply instanceof ArrayNode array) {
            array.forEach(e -> rename(e, paths, escaped));
        } else if (reply instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isTextual() && NAME_FIELDS.contains(field.getKey())) {
                    String name = field.getValue().asText();
                    String renamed = renamed(name, paths, escaped);
                    if (!renamed.equals(name)) {
                        field.setValue(TextNode.valueOf(renamed));
                    }
                } else {
                    rename(field.getValue(), paths, escaped);
                }
            }
        }
    }

    /** {@code name} with each {@code /dev/fdset/N} (N of 1 to 18 digits) of {@code paths} replaced. */
    static String renamed(String name, Map<Long, String> paths, Map<Long, String> escaped) {
        int at = name.indexOf(DEVICE_PREFIX);
        if (at < 0) {
            return name;
        }
        boolean json = name.startsWith("json:");
        StringBuilder out = null;
        int copied = 0;
        while (at >= 0) {
            int digits = at + DEVICE_PREFIX.length();
            int end = digits;
            while (end < name.length() && name.charAt(end) >= '0' && name.charAt(end) <= '9') {
                end++;
            }
            String path = end > digits && end - digits <= 18
                    ? paths.get(Long.parseLong(name, digits, end, 10)) : null;
            if (path != null) {
                if (out == null) {
                    out = new StringBuilder(name.length() + 64);
                }
                out.append(name, copied, at).append(json ? escaped.computeIfAbsent(
                        Long.parseLong(name, digits, end, 10), id -> jsonEscaped(path)) : path);
                copied = end;
            }
            at = name.indexOf(DEVICE_PREFIX, Math.max(end, at + 1));
        }
        return out == null ? name : out.append(name, copied, name.length()).toString();
    }

    private static String jsonEscaped(String path) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(path));
    }
}
