package org.qmp4j.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import org.qmp4j.core.transport.Json;

/**
 * JSON text to {@link JsonNode} trees and back, and plain Java values (maps, lists, strings,
 * numbers) to trees, with Jackson's streaming parser and generator only: no data binding, so no
 * {@code ObjectMapper} is built for them. (Building one costs a new JVM 30-50 ms: date formats,
 * locale data, a type factory. qmp4j builds its own only for what trees do not cover, such as a
 * caller's own record type; a short-lived program, such as the CLI, builds none.) The trees are the ones
 * Jackson's {@code readTree} makes: an integer is an int, long or big-integer node by its size, a
 * fraction a double node, and of a key given twice the last value is kept. Reading is iterative:
 * the parser's nesting limit, not the thread's stack, bounds the depth of what a peer may send.
 */
public final class JsonTrees {
    /** Deepest nesting {@link #toTree} converts: Jackson's own limit for what it writes. */
    public static final int MAX_VALUE_DEPTH = 1000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    /** A new, empty object node. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new, empty array node. */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /**
     * The value that starts at {@code parser}'s next token, or {@code null} at the end of the input.
     * The parser is left on the value's last token.
     */
    public static JsonNode read(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            return null;
        }
        if (!token.isStructStart()) {
            return scalar(parser, token);
        }
        Deque<ContainerNode<?>> open = new ArrayDeque<>();
        ContainerNode<?> root = start(token);
        open.push(root);
        String field = null;
        while (!open.isEmpty()) {
            token = parser.nextToken();
            if (token == null) {
                throw new IOException("unexpected end of JSON input");
            }
            if (token == JsonToken.FIELD_NAME) {
                field = parser.currentName();
                continue;
            }
            if (token.isStructEnd()) {
                open.pop(); // in an object, a field name comes next
                continue;
            }
            JsonNode value = token.isStructStart() ? start(token) : scalar(parser, token);
            ContainerNode<?> parent = open.peek();
            if (parent.isObject()) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
            if (token.isStructStart()) {
                open.push((ContainerNode<?>) value);
            }
        }
        return root;
    }

    /** The one value in {@code text}. */
    public static JsonNode read(JsonFactory factory, String text) throws IOException {
        try (JsonParser parser = factory.createParser(text)) {
            return readWhole(parser);
        }
    }

    /** The one value in {@code in}, read to its end. */
    public static JsonNode read(JsonFactory factory, InputStream in) throws IOException {
        try (JsonParser parser = factory.createParser(in)) {
            return readWhole(parser);
        }
    }

    private static JsonNode readWhole(JsonParser parser) throws IOException {
        JsonNode value = readOnly(parser);
        if (value == null) {
            throw new IOException("no JSON value in the input");
        }
        return value;
    }

    /**
     * The only value in what {@code parser} reads, or {@code null} when it reads none.
     *
     * @throws IOException if it is not valid JSON, or more follows the value
     */
    public static JsonNode readOnly(JsonParser parser) throws IOException {
        JsonNode value = read(parser);
        if (value != null && parser.nextToken() != null) {
            throw new IOException("trailing data after a JSON value");
        }
        return value;
    }

    private static ContainerNode<?> start(JsonToken token) {
        return token == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
    }

    private static JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }

    /** Writes {@code node} with {@code generator}; a kind of node this does not know goes to Jackson. */
    public static void write(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (JsonNode element : node) {
                    write(generator, element);
                }
                generator.writeEndArray();
            }
            case STRING -> generator.writeString(node.textValue());
            case NUMBER -> writeNumber(generator, node);
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case NULL -> generator.writeNull();
            default -> Json.mapper().writeTree(generator, node); // binary, POJO and missing nodes
        }
    }

    private static void writeNumber(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.numberType()) {
            case INT -> generator.writeNumber(node.intValue());
            case LONG -> generator.writeNumber(node.longValue());
            case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
            case FLOAT -> generator.writeNumber(node.floatValue());
            case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
            default -> generator.writeNumber(node.doubleValue());
        }
    }

    /** {@code node} as compact JSON text in UTF-8. */
    public static byte[] toBytes(JsonNode node) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
            try (JsonGenerator generator = Json.FACTORY.createGenerator((OutputStream) bytes)) {
                write(generator, node);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /**
     * {@code node} as compact JSON text. (Unlike {@link #toBytes}, which escapes a character
     * beyond the BMP as a surrogate pair, as Jackson's UTF-8 output does, this keeps it as it is.)
     */
    public static String toText(JsonNode node) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = Json.FACTORY.createGenerator(text)) {
            write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getMessage(), e);
        }
        return text.toString();
    }

    /**
     * {@code value} as a tree: a node as it is; strings, integers, doubles and booleans, maps
     * (keys as text), lists and sets, and arrays of such values as Jackson would write them;
     * anything else (a record, a bean, a {@code Path}, a {@code BigDecimal}) through Jackson's data
     * binding. {@code null} is a null node, as with Jackson.
     *
     * @throws IllegalArgumentException for a value nested deeper than {@link #MAX_VALUE_DEPTH}
     *         (one that contains itself, say)
     */
    public static JsonNode toTree(Object value) {
        return toTree(value, 0);
    }

    private static JsonNode toTree(Object value, int depth) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof CharSequence text) {
            return NODES.textNode(text.toString());
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).intValue());
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (!(value instanceof Map || value instanceof Collection || value instanceof Object[])) {
            // not an Iterable in general: a Path iterates over Paths, each of them over itself
            return Json.mapper().valueToTree(value);
        }
        if (depth >= MAX_VALUE_DEPTH) {
            throw new IllegalArgumentException("a value nested more than " + MAX_VALUE_DEPTH
                    + " levels deep (one that contains itself?)");
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof CharSequence)) {
                    return Json.mapper().valueToTree(value); // Jackson's rules for other keys
                }
                object.set(entry.getKey().toString(), toTree(entry.getValue(), depth + 1));
            }
            return object;
        }
        ArrayNode array = NODES.arrayNode();
        for (Object element : value instanceof Collection<?> c ? c : Arrays.asList((Object[]) value)) {
            array.add(toTree(element, depth + 1));
        }
        return array;
    }
}
