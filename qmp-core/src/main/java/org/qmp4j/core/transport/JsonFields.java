package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reading the fields of a reply into qmp4j's own records by hand, as leniently as Jackson's data
 * binding would (an absent or null field is null, false or 0; unknown fields are ignored; a
 * number or boolean sent as text is read), without building a mapper (see {@link Json#mapper()}).
 * A field of the wrong kind is an {@link IllegalArgumentException} that names it; {@link Json#decode}
 * reports it as the peer's protocol error.
 */
public final class JsonFields {
    private JsonFields() {
    }

    /** {@code node} itself, which must be an object. */
    public static JsonNode object(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " is not an object: " + kind(node));
        }
        return node;
    }

    /** A text field; a number or boolean as its text. */
    public static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (absent(value)) {
            return null;
        }
        if (!value.isValueNode()) {
            throw wrong(field, "text", value);
        }
        return value.asText();
    }

    /** A boolean field; {@code "true"} and {@code "false"} as text are read too. */
    public static boolean bool(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (absent(value)) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
            return Boolean.parseBoolean(value.textValue());
        }
        throw wrong(field, "a boolean", value);
    }

    /** An integer field that fits a long; absent, 0. */
    public static long number(JsonNode object, String field) {
        Long value = optionalNumber(object, field);
        return value == null ? 0 : value;
    }

    /** An integer field that fits an int; absent, 0. */
    public static int intNumber(JsonNode object, String field) {
        long value = number(object, field);
        if (value != (int) value) {
            throw new IllegalArgumentException("field " + field + " is out of range: " + value);
        }
        return (int) value;
    }

    /** An integer field that fits a long; absent, {@code null}. */
    public static Long optionalNumber(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (absent(value)) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.textValue().trim());
            } catch (NumberFormatException e) {
                throw wrong(field, "an integer", value);
            }
        }
        throw wrong(field, "an integer", value);
    }

    /** An object field read by {@code reader}; absent, {@code null}. */
    public static <T> T nested(JsonNode object, String field, Function<JsonNode, T> reader) {
        JsonNode value = object.get(field);
        if (absent(value)) {
            return null;
        }
        if (!value.isObject()) {
            throw wrong(field, "an object", value);
        }
        return reader.apply(value);
    }

    /** An array field, each element read by {@code reader}; absent, {@code null}. */
    public static <T> List<T> list(JsonNode object, String field, Function<JsonNode, T> reader) {
        JsonNode value = object.get(field);
        if (absent(value)) {
            return null;
        }
        if (!value.isArray()) {
            throw wrong(field, "an array", value);
        }
        return elements(value, reader);
    }

    /** The elements of {@code array}, each an object read by {@code reader}. */
    public static <T> List<T> elements(JsonNode array, Function<JsonNode, T> reader) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("expected an array, got " + kind(array));
        }
        List<T> read = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            read.add(element.isNull() ? null : reader.apply(object(element, "an element")));
        }
        return read;
    }

    private static boolean absent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    private static IllegalArgumentException wrong(String field, String expected, JsonNode value) {
        return new IllegalArgumentException("field " + field + " is not " + expected + ": " + kind(value));
    }

    private static String kind(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
