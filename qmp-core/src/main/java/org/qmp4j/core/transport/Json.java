package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.qmp4j.core.ProtocolException;

/** The one Jackson configuration: lenient decoding, since newer QEMU adds fields and enum values. */
public final class Json {
    /** Shared, thread-safe mapper. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .build();

    private Json() {
    }

    /** Arguments object for a command: {@code null} stays null, a node is used as is, anything else is converted. */
    public static ObjectNode toArguments(Object args) {
        if (args == null) {
            return null;
        }
        JsonNode node = args instanceof JsonNode j ? j : MAPPER.valueToTree(args);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("command arguments must be a JSON object, got " + node.getNodeType());
        }
        return (ObjectNode) node;
    }

    /** Decodes a reply into {@code type}; a mismatch is the peer's protocol error, not the caller's. */
    public static <T> T convert(String command, JsonNode value, Class<T> type) {
        if (type == JsonNode.class || type == Object.class) {
            return type.cast(value);
        }
        if (type == Void.class) {
            return null;
        }
        try {
            return MAPPER.treeToValue(value, type);
        } catch (Exception e) {
            throw new ProtocolException(command + ": cannot decode reply as " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** At most {@code max} characters of {@code text}, for error messages about untrusted input. */
    public static String excerpt(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "... (" + text.length() + " chars)";
    }
}
