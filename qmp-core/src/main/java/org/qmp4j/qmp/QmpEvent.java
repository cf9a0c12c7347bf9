package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous QMP event. Treat {@code data} as read-only: the same node goes to every
 * subscriber.
 *
 * @param name the event name, e.g. {@code STOP}, {@code JOB_STATUS_CHANGE}
 * @param data the event's {@code data} member (empty when the event has none)
 * @param timestamp when QEMU emitted it
 */
public record QmpEvent(String name, ObjectNode data, Instant timestamp) {
    public QmpEvent {
        Objects.requireNonNull(name, "name");
        data = data == null ? JsonNodeFactory.instance.objectNode() : data;
    }

    /** Reads an event message ({@code event}, {@code data}, {@code timestamp}). */
    public static QmpEvent parse(JsonNode message) {
        JsonNode data = message.get("data");
        JsonNode ts = message.path("timestamp");
        Instant when = ts.isObject()
                ? Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000L)
                : Instant.now();
        return new QmpEvent(message.path("event").asText(), data instanceof ObjectNode o ? o : null, when);
    }

    /**
     * The value at a dotted path inside {@code data} (e.g. {@code "device"}, {@code "a.b"}); a
     * missing node when absent.
     */
    public JsonNode data(String path) {
        JsonNode node = data;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    @Override
    public String toString() {
        return name + " " + data;
    }
}
