package org.qmp4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A pretend VM for {@link CdsTraining}: a QMP monitor and a guest agent, each on a UNIX socket in
 * this JVM, that answer what {@code qmp4j snapshot} asks of a running VM with one qcow2 disk, as
 * QEMU 10.0 and its agent would (the replies' shapes, not their every field). Its disk switches to
 * the overlays that transactions name, so one snapshot after another sees a chain. Nothing is
 * really frozen or written: the overlay files stay empty. One client per socket at a time.
 */
final class TrainingVm implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the snapshot flow needs, and what the agent check asks for. */
    private static final List<String> COMMANDS = List.of("qmp_capabilities", "query-commands", "query-qmp-schema",
            "query-status", "query-jobs", "query-migrate", "query-block", "query-named-block-nodes", "query-fdsets",
            "query-chardev", "qom-get", "add-fd", "remove-fd", "blockdev-add", "blockdev-del", "blockdev-create",
            "job-dismiss", "job-cancel", "transaction", "stop", "cont");
    private static final List<String> AGENT_COMMANDS = List.of("guest-sync-delimited", "guest-info", "guest-ping",
            "guest-fsfreeze-status", "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw");
    private static final String QDEV = "/machine/peripheral/vd0/virtio-backend";
    private static final long SIZE = 64L << 20;
    /** Marks a reply that goes after the agent's 0xFF delimiter byte. */
    private static final String RESYNC = "\u00ff";

    private final Path qmpSocket;
    private final Path agentSocket;
    private final AFUNIXServerSocket qmpServer;
    private final AFUNIXServerSocket agentServer;
    private final Path disk;
    // the monitor's state, touched by its one serving thread only
    private String topNode = "disk0";
    private ObjectNode topImage;
    private final ArrayNode fdSets = JSON.createArrayNode();
    private final ArrayNode jobs = JSON.createArrayNode();
    private int nextFdSet;

    /** Starts the monitor and the agent in {@code dir}, with an (empty) disk image file there. */
    TrainingVm(Path dir) throws IOException {
        qmpSocket = dir.resolve("qmp.sock");
        agentSocket = dir.resolve("qga.sock");
        disk = Files.createFile(dir.resolve("disk.qcow2"));
        topImage = image(disk, null);
        qmpServer = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(qmpSocket));
        agentServer = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(agentSocket));
        daemon("cds-training-monitor", () -> serve(qmpServer, "\r\n", greeting(), this::answer));
        daemon("cds-training-agent", () -> serve(agentServer, "\n", null, TrainingVm::answerAsAgent));
    }

    Path qmpSocket() {
        return qmpSocket;
    }

    Path agentSocket() {
        return agentSocket;
    }

    @Override
    public void close() throws IOException {
        try {
            qmpServer.close();
            agentServer.close();
        } finally {
            Files.deleteIfExists(qmpSocket);
            Files.deleteIfExists(agentSocket);
        }
    }

    private static String greeting() {
        return "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}, \"package\": \"\"}, "
                + "\"capabilities\": [\"oob\"]}}";
    }

    /** One client after another; each request line gets the lines {@code answer} gives. */
    private static void serve(AFUNIXServerSocket server, String lineEnd, String greeting,
                              Function<JsonNode, List<String>> answer) {
        while (!server.isClosed()) {
            try (AFUNIXSocket client = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                         StandardCharsets.UTF_8));
                 OutputStream out = client.getOutputStream()) {
                if (greeting != null) {
                    out.write((greeting + lineEnd).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    int start = line.indexOf('{'); // past the agent's resync byte
                    if (start < 0) {
                        continue;
                    }
                    JsonNode request;
                    try {
                        request = JSON.readTree(line.substring(start));
                    } catch (IOException e) {
                        continue;
                    }
                    for (String reply : answer.apply(request)) {
                        if (reply.startsWith(RESYNC)) {
                            out.write(0xFF); // the agent's delimiter is the byte, not its UTF-8 encoding
                            reply = reply.substring(RESYNC.length());
                        }
                        out.write((reply + lineEnd).getBytes(StandardCharsets.UTF_8));
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // the client hung up, or the server closed: next client, or done
            }
        }
    }

    private List<String> answer(JsonNode request) {
        String command = request.path("execute").asText();
        JsonNode args = request.path("arguments");
        List<String> events = new ArrayList<>();
        Object value = switch (command) {
            case "query-commands" -> names(COMMANDS);
            case "query-qmp-schema" -> schema();
            case "query-status" -> JSON.createObjectNode().put("status", "running").put("running", true);
            case "query-jobs" -> jobs;
            case "query-migrate", "qmp_capabilities", "blockdev-add", "blockdev-del", "job-cancel", "stop", "cont",
                 "remove-fd" -> JSON.createObjectNode();
            case "query-block" -> JSON.createArrayNode().add(device());
            case "query-named-block-nodes" -> JSON.createArrayNode().add(node());
            case "query-fdsets" -> fdSets;
            case "query-chardev" -> JSON.createArrayNode().add(JSON.createObjectNode().put("label", "qga0")
                    .put("filename", "unix:" + agentSocket + ",server=on").put("frontend-open", true));
            case "qom-get" -> false;
            case "add-fd" -> addFd(args);
            case "blockdev-create" -> createJob(args.path("job-id").asText(), events);
            case "job-dismiss" -> dismiss(args.path("id").asText(), events);
            case "transaction" -> transaction(args.path("actions"));
            default -> null;
        };
        List<String> lines = new ArrayList<>();
        lines.add(value == null
                ? reply(request, "error", JSON.createObjectNode().put("class", "CommandNotFound")
                        .put("desc", "The command " + command + " has not been found"))
                : reply(request, "return", JSON.valueToTree(value)));
        lines.addAll(events);
        return lines;
    }

    private static List<String> answerAsAgent(JsonNode request) {
        String command = request.path("execute").asText();
        Object value = switch (command) {
            case "guest-sync-delimited" -> request.path("arguments").path("id");
            case "guest-info" -> {
                ObjectNode info = JSON.createObjectNode().put("version", "10.0.2");
                ArrayNode supported = info.putArray("supported_commands");
                AGENT_COMMANDS.forEach(c -> supported.addObject().put("enabled", true).put("name", c)
                        .put("success-response", true));
                yield info;
            }
            case "guest-fsfreeze-status" -> "thawed";
            case "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw" -> 1;
            default -> JSON.createObjectNode();
        };
        String reply = reply(request, "return", JSON.valueToTree(value));
        return List.of(command.equals("guest-sync-delimited") ? RESYNC + reply : reply);
    }

    private static String reply(JsonNode request, String kind, JsonNode value) {
        ObjectNode reply = JSON.createObjectNode();
        reply.set(kind, value);
        if (request.has("id")) {
            reply.set("id", request.get("id"));
        }
        return reply.toString();
    }

    private static ArrayNode names(List<String> commands) {
        ArrayNode list = JSON.createArrayNode();
        commands.forEach(c -> list.addObject().put("name", c));
        return list;
    }

    /** The commands, and transaction's action kinds as QEMU's schema types them. */
    private static ArrayNode schema() {
        ArrayNode schema = JSON.createArrayNode();
        for (String c : COMMANDS) {
            schema.addObject().put("name", c).put("meta-type", "command")
                    .put("arg-type", c.equals("transaction") ? "t-arg" : "0").put("ret-type", "0");
        }
        schema.addObject().put("name", "0").put("meta-type", "object").putArray("members");
        schema.addObject().put("name", "t-arg").put("meta-type", "object").putArray("members").addObject()
                .put("name", "actions").put("type", "[t-action]");
        schema.addObject().put("name", "[t-action]").put("meta-type", "array").put("element-type", "t-action");
        schema.addObject().put("name", "t-action").put("meta-type", "object").putArray("members").addObject()
                .put("name", "type").put("type", "t-kind");
        ObjectNode kinds = schema.addObject().put("name", "t-kind").put("meta-type", "enum");
        kinds.putArray("values").add("abort").add("blockdev-snapshot").add("blockdev-snapshot-sync");
        return schema;
    }

    private ObjectNode device() {
        ObjectNode device = JSON.createObjectNode().put("device", "").put("qdev", QDEV).put("removable", false)
                .put("locked", false).put("type", "unknown").put("io-status", "ok");
        device.set("inserted", node());
        return device;
    }

    private ObjectNode node() {
        ObjectNode node = JSON.createObjectNode().put("node-name", topNode).put("drv", "qcow2").put("ro", false)
                .put("file", topImage.path("filename").asText()).put("backing_file_depth", depth(topImage))
                .put("encrypted", false).put("detect_zeroes", "off");
        if (topImage.has("backing-filename")) {
            node.put("backing_file", topImage.path("backing-filename").asText());
        }
        node.set("image", topImage);
        return node;
    }

    private static int depth(JsonNode image) {
        int depth = 0;
        for (JsonNode i = image.path("backing-image"); !i.isMissingNode(); i = i.path("backing-image")) {
            depth++;
        }
        return depth;
    }

    private static ObjectNode image(Path file, ObjectNode backing) {
        ObjectNode image = JSON.createObjectNode().put("filename", file.toString()).put("format", "qcow2")
                .put("virtual-size", SIZE).put("cluster-size", 65536).put("actual-size", 200704)
                .put("dirty-flag", false);
        if (backing != null) {
            image.put("backing-filename", backing.path("filename").asText()).put("backing-filename-format", "qcow2");
            image.set("backing-image", backing);
        }
        return image;
    }

    private ObjectNode addFd(JsonNode args) {
        int id = args.has("fdset-id") ? args.path("fdset-id").asInt() : nextFdSet++;
        int fd = 100 + id;
        ObjectNode set = fdSets.addObject().put("fdset-id", id);
        set.putArray("fds").addObject().put("fd", fd).put("opaque", args.path("opaque").asText(""));
        return JSON.createObjectNode().put("fd", fd).put("fdset-id", id);
    }

    /** A create job that is done at once: its events, and its entry until dismissed. */
    private ObjectNode createJob(String id, List<String> events) {
        for (String status : List.of("created", "running", "waiting", "pending", "concluded")) {
            events.add(jobEvent(id, status));
        }
        jobs.addObject().put("id", id).put("type", "create").put("status", "concluded")
                .put("current-progress", 1).put("total-progress", 1);
        return JSON.createObjectNode();
    }

    private ObjectNode dismiss(String id, List<String> events) {
        for (int i = jobs.size() - 1; i >= 0; i--) {
            if (jobs.get(i).path("id").asText().equals(id)) {
                jobs.remove(i);
            }
        }
        events.add(jobEvent(id, "null"));
        return JSON.createObjectNode();
    }

    private static String jobEvent(String id, String status) {
        ObjectNode event = JSON.createObjectNode().put("event", "JOB_STATUS_CHANGE");
        event.putObject("data").put("id", id).put("status", status);
        event.putObject("timestamp").put("seconds", System.currentTimeMillis() / 1000).put("microseconds", 0);
        return event.toString();
    }

    /** Every blockdev-snapshot moves the disk onto its overlay, whose file is the one the agent opened. */
    private ObjectNode transaction(JsonNode actions) {
        for (JsonNode action : actions) {
            if (action.path("type").asText().equals("blockdev-snapshot")
                    && action.path("data").path("node").asText().equals(topNode)) {
                topNode = action.path("data").path("overlay").asText();
                topImage = image(overlayFile(), topImage);
            }
        }
        return JSON.createObjectNode();
    }

    /** The file of the newest fd set: the overlay just created. */
    private Path overlayFile() {
        String opaque = fdSets.isEmpty() ? "" : fdSets.get(fdSets.size() - 1).path("fds").path(0).path("opaque").asText();
        int colon = opaque.indexOf(':');
        return colon < 0 ? disk : Path.of(opaque.substring(colon + 1));
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
