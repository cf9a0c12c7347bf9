package org.qmp4j.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The JSON text of the messages a QMP (or guest agent) peer sends, one line each and without
 * the line ending. Uses its own Jackson mapper, independent of the code under test.
 */
public final class QmpMessages {
    /** Mapper for building and reading test messages. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** QEMU 7.2's greeting as Debian 12 ships it. */
    public static final String QEMU_7_2_GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, "
            + "\"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7+deb12u18\"}, \"capabilities\": [\"oob\"]}}";

    private QmpMessages() {
    }

    /** {@code {"return": value, "id": <the request's id>}}; no id member when the request had none. */
    public static String reply(JsonNode request, Object value) {
        ObjectNode reply = MAPPER.createObjectNode();
        reply.set("return", MAPPER.valueToTree(value));
        copyId(request, reply);
        return write(reply);
    }

    /** {@code {"return": value, "id": id}} for any id, e.g. one the client never used. */
    public static String replyWithId(Object id, Object value) {
        ObjectNode reply = MAPPER.createObjectNode();
        reply.set("return", MAPPER.valueToTree(value));
        reply.set("id", MAPPER.valueToTree(id));
        return write(reply);
    }

    /** {@code {"error": {"class": ..., "desc": ...}, "id": <the request's id>}}. */
    public static String error(JsonNode request, String errorClass, String description) {
        ObjectNode reply = MAPPER.createObjectNode();
        reply.set("error", errorBody(errorClass, description));
        copyId(request, reply);
        return write(reply);
    }

    /** An error without an id: what QEMU sends for a line it could not parse. */
    public static String idLessError(String errorClass, String description) {
        ObjectNode reply = MAPPER.createObjectNode();
        reply.set("error", errorBody(errorClass, description));
        return write(reply);
    }

    /** {@code {"event": name, "data": data, "timestamp": {...}}}; no data member when {@code data} is null. */
    public static String event(String name, Object data) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("event", name);
        if (data != null) {
            event.set("data", MAPPER.valueToTree(data));
        }
        long micros = System.currentTimeMillis() * 1000L;
        event.putObject("timestamp").put("seconds", micros / 1_000_000L).put("microseconds", micros % 1_000_000L);
        return write(event);
    }

    /** The command name of a request ({@code execute} or {@code exec-oob}), or null. */
    public static String command(JsonNode request) {
        JsonNode name = request.has("execute") ? request.get("execute") : request.get("exec-oob");
        return name == null ? null : name.asText();
    }

    /** Parses a JSON text. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode errorBody(String errorClass, String description) {
        ObjectNode error = MAPPER.createObjectNode();
        error.put("class", errorClass);
        error.put("desc", description);
        return error;
    }

    private static void copyId(JsonNode request, ObjectNode reply) {
        JsonNode id = request == null ? null : request.get("id");
        if (id != null) {
            reply.set("id", id);
        }
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
