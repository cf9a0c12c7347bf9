package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qmp4j.core.ProtocolException;

/**
 * What the connected QEMU accepts, read from {@code query-qmp-schema}: ask it whether a command,
 * an argument, an enum value or a feature exists instead of guessing from version numbers.
 *
 * <p>Arguments are named by dotted paths through nested objects, e.g. {@code "node-name"} of
 * {@code blockdev-add}, or {@code "actions.type"} of {@code transaction}. A path matches when any
 * branch of a union or alternate has it. Immutable and thread-safe.
 */
public final class QmpSchema {
    private final Map<String, JsonNode> entities;
    private final Set<String> commands;
    private final Set<String> events;

    private QmpSchema(Map<String, JsonNode> entities) {
        this.entities = entities;
        Set<String> c = new TreeSet<>();
        Set<String> e = new TreeSet<>();
        entities.forEach((name, node) -> {
            String meta = node.path("meta-type").asText();
            if (meta.equals("command")) {
                c.add(name);
            } else if (meta.equals("event")) {
                e.add(name);
            }
        });
        this.commands = Collections.unmodifiableSet(c);
        this.events = Collections.unmodifiableSet(e);
    }

    /**
     * Builds the schema from the {@code query-qmp-schema} return value.
     *
     * @throws ProtocolException if it is not an array of schema entities
     */
    public static QmpSchema parse(JsonNode schema) {
        if (schema == null || !schema.isArray()) {
            throw new ProtocolException("query-qmp-schema did not return an array");
        }
        Map<String, JsonNode> entities = new HashMap<>();
        for (JsonNode entity : schema) {
            JsonNode name = entity.get("name");
            if (name != null) {
                entities.put(name.asText(), entity);
            }
        }
        return new QmpSchema(entities);
    }

    /** Every command name. */
    public Set<String> commands() {
        return commands;
    }

    /** Every event name. */
    public Set<String> events() {
        return events;
    }

    /** Whether the command exists. */
    public boolean hasCommand(String command) {
        return commands.contains(command);
    }

    /** Whether the event exists. */
    public boolean hasEvent(String event) {
        return events.contains(event);
    }

    /** Whether the command may be sent with {@code exec-oob}. */
    public boolean allowsOob(String command) {
        return command(command).path("allow-oob").asBoolean(false);
    }

    /** The command's features (e.g. {@code deprecated}, {@code unstable}); empty if unknown. */
    public Set<String> commandFeatures(String command) {
        return features(command(command));
    }

    /** Whether the command has this feature. */
    public boolean hasFeature(String command, String feature) {
        return commandFeatures(command).contains(feature);
    }

    /** Whether the command takes an argument at this dotted path. */
    public boolean hasArgument(String command, String path) {
        return !members(command, path).isEmpty();
    }

    /** The features of the argument at this dotted path (union of all branches that have it). */
    public Set<String> argumentFeatures(String command, String path) {
        Set<String> result = new LinkedHashSet<>();
        members(command, path).forEach(m -> result.addAll(features(m)));
        return result;
    }

    /**
     * The values an enum argument accepts (e.g. {@code blockdev-add} {@code "driver"}); empty when
     * the argument does not exist or is not an enum.
     */
    public Set<String> argumentValues(String command, String path) {
        Set<String> result = new TreeSet<>();
        for (JsonNode member : members(command, path)) {
            collectEnumValues(entities.get(member.path("type").asText()), result, 0);
        }
        return result;
    }

    private void collectEnumValues(JsonNode type, Set<String> out, int depth) {
        if (type == null || depth > 8) {
            return;
        }
        switch (type.path("meta-type").asText()) {
            case "enum" -> type.path("values").forEach(v -> out.add(v.asText()));
            case "alternate" -> type.path("members").forEach(m ->
                    collectEnumValues(entities.get(m.path("type").asText()), out, depth + 1));
            default -> {
            }
        }
    }

    private JsonNode command(String command) {
        JsonNode entity = entities.get(command);
        return entity != null && entity.path("meta-type").asText().equals("command") ? entity
                : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static Set<String> features(JsonNode node) {
        Set<String> result = new LinkedHashSet<>();
        node.path("features").forEach(f -> result.add(f.asText()));
        return result;
    }

    /** Member nodes found at {@code path} under the command's argument type, across all branches. */
    private List<JsonNode> members(String command, String path) {
        JsonNode cmd = command(command);
        if (cmd.isMissingNode()) {
            return List.of();
        }
        List<JsonNode> types = List.of(entities.getOrDefault(cmd.path("arg-type").asText(), cmd));
        List<JsonNode> found = List.of();
        for (String part : path.split("\\.")) {
            found = new ArrayList<>();
            for (JsonNode type : types) {
                collectMembers(type, part, found, 0);
            }
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode member : found) {
                JsonNode t = entities.get(member.path("type").asText());
                if (t != null) {
                    next.add(t);
                }
            }
            types = next;
        }
        return found;
    }

    /** Adds the members named {@code name} of {@code type}, looking through variants, alternates, arrays. */
    private void collectMembers(JsonNode type, String name, List<JsonNode> out, int depth) {
        if (type == null || depth > 8) {
            return;
        }
        switch (type.path("meta-type").asText()) {
            case "object" -> {
                for (JsonNode m : type.path("members")) {
                    if (m.path("name").asText().equals(name)) {
                        out.add(m);
                    }
                }
                for (JsonNode v : type.path("variants")) {
                    collectMembers(entities.get(v.path("type").asText()), name, out, depth + 1);
                }
            }
            case "alternate" -> type.path("members").forEach(m ->
                    collectMembers(entities.get(m.path("type").asText()), name, out, depth + 1));
            case "array" -> collectMembers(entities.get(type.path("element-type").asText()), name, out, depth + 1);
            default -> {
            }
        }
    }
}
