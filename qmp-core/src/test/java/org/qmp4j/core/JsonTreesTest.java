package org.qmp4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.transport.Json;

/** The trees qmp4j reads and writes without data binding must be exactly Jackson's. */
class JsonTreesTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static final List<String> DOCUMENTS = List.of(
            "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 42}",
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":2,\"minor\":0,\"major\":10},\"package\":\"Debian 1:10.0.2\"},"
                    + "\"capabilities\":[\"oob\"]}}",
            "{\"event\":\"JOB_STATUS_CHANGE\",\"data\":{\"status\":\"concluded\",\"id\":\"j1\"},"
                    + "\"timestamp\":{\"seconds\":1733600000,\"microseconds\":123456}}",
            "{\"n\":[0,-1,2147483647,2147483648,-2147483649,9223372036854775807,9223372036854775808,-9223372036854775809]}",
            "{\"f\":[0.5,-1.25e3,1E-7,3.0,1e308]}",
            "{\"s\":\"tab\\there \\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ /\",\"empty\":\"\"}",
            "{\"a\":[],\"o\":{},\"deep\":[[[{\"x\":[{},[]]}]]],\"nul\":null,\"t\":true,\"f\":false}",
            "{\"dup\":1,\"dup\":{\"later\":true},\"other\":[1,{\"dup\":2,\"dup\":3}]}",
            "[1,\"two\",{\"three\":3},[4]]",
            "\"just a string\"", "17", "null");

    @Test
    void readsTheTreesJacksonReads() throws IOException {
        for (String text : DOCUMENTS) {
            JsonNode ours = JsonTrees.read(Json.FACTORY, text);
            JsonNode theirs = JACKSON.readTree(text);
            assertThat(ours).as(text).isEqualTo(theirs);
            assertThat(kinds(ours)).as("node classes of " + text).isEqualTo(kinds(theirs));
        }
    }

    @Test
    void writesWhatJacksonWrites() throws IOException {
        for (String text : DOCUMENTS) {
            JsonNode tree = JACKSON.readTree(text);
            assertThat(JsonTrees.toText(tree)).as(text).isEqualTo(JACKSON.writeValueAsString(tree));
            assertThat(JsonTrees.toBytes(tree)).isEqualTo(JACKSON.writeValueAsBytes(tree));
        }
        JsonNode numbers = JsonNodeFactory.instance.objectNode().put("float", 1.5f).put("decimal", new BigDecimal("1.10"))
                .put("big", new BigInteger("123456789012345678901234567890")).put("short", (short) 7)
                .put("binary", new byte[] {1, 2, 3});
        assertThat(JsonTrees.toText(numbers)).isEqualTo(JACKSON.writeValueAsString(numbers));
    }

    @Test
    void convertsPlainValuesAsJacksonDoes() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("text", "x");
        nested.put("none", null);
        nested.put("list", List.of(1, 2L, 3.5, 2.5f, true, "s"));
        nested.put("array", new Object[] {"a", Map.of("k", "v")});
        nested.put("big", new BigInteger("99999999999999999999"));
        nested.put("decimal", new BigDecimal("0.1"));
        nested.put("builder", new StringBuilder("chars"));
        nested.put("record", new Point(1, "p"));
        nested.put("nonTextKeys", Map.of(1, "one"));
        nested.put("ints", new int[] {1, 2});
        nested.put("path", Path.of("/tmp/x y")); // an Iterable of Paths, each of them of itself
        nested.put("set", new TreeSet<>(List.of("b", "a")));
        nested.put("decimal2", new BigDecimal("1.50"));
        List<Object> values = new ArrayList<>(Arrays.asList(nested, List.of(), Map.of(), "t", 5, (byte) 1, null));
        for (Object value : values) {
            JsonNode ours = JsonTrees.toTree(value);
            JsonNode theirs = JACKSON.valueToTree(value);
            assertThat(ours).as(String.valueOf(value)).isEqualTo(theirs);
            assertThat(kinds(ours)).isEqualTo(kinds(theirs));
        }
    }

    record Point(int x, String name) {
    }

    @Test
    void aValueThatContainsItselfIsRefusedNotAStackOverflow() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        assertThatThrownBy(() -> JsonTrees.toTree(Map.of("loop", loop))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contains itself");
    }

    @Test
    void aTreeIsReadWithoutRecursionUpToTheParsersNestingLimit() throws IOException {
        int depth = Json.MAX_NESTING_DEPTH;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        JsonNode tree = JsonTrees.read(Json.FACTORY, deep);
        int levels = 0;
        for (JsonNode n = tree; n != null; n = n.get(0)) {
            levels++;
        }
        assertThat(levels).isEqualTo(depth);

        String deeper = "[".repeat(depth + 1) + "]".repeat(depth + 1);
        assertThatThrownBy(() -> JsonTrees.read(Json.FACTORY, deeper)).isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void theParsersTokenLimitHolds() {
        String many = "[" + "0,".repeat((int) Json.GUEST_MAX_TOKENS) + "0]";
        assertThatThrownBy(() -> JsonTrees.read(Json.GUEST_FACTORY, many)).isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void aWholeDocumentIsOneValueAndNothingElse() throws IOException {
        assertThatThrownBy(() -> JsonTrees.read(Json.FACTORY, "{} {}")).isInstanceOf(IOException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> JsonTrees.read(Json.FACTORY, "  ")).isInstanceOf(IOException.class)
                .hasMessageContaining("no JSON value");
        assertThatThrownBy(() -> JsonTrees.read(Json.FACTORY, "{\"a\":[1,2}")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JsonTrees.read(Json.FACTORY, "{\"a\":")).isInstanceOf(IOException.class);
        try (JsonParser blank = Json.FACTORY.createParser(" \n ");
             JsonParser twice = Json.FACTORY.createParser("[1] 2")) {
            assertThat(JsonTrees.readOnly(blank)).isNull();
            assertThatThrownBy(() -> JsonTrees.readOnly(twice)).isInstanceOf(IOException.class)
                    .hasMessageContaining("trailing");
        }
        assertThat(JsonTrees.read(Json.FACTORY, new ByteArrayInputStream("{\"a\":1}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(JsonNodeFactory.instance.objectNode().put("a", 1));
    }

    @Test
    void aParserIsLeftOnTheValuesLastToken() throws IOException {
        try (JsonParser parser = Json.FACTORY.createParser("{\"a\":{\"b\":[1]}} [2] 3")) {
            assertThat(JsonTrees.read(parser)).hasToString("{\"a\":{\"b\":[1]}}");
            assertThat(JsonTrees.read(parser)).hasToString("[2]");
            assertThat(JsonTrees.read(parser).intValue()).isEqualTo(3);
            assertThat(JsonTrees.read(parser)).isNull();
        }
    }

    /** The node classes of a tree, depth first: equal trees may differ in them (an int node against a long node). */
    private static List<String> kinds(JsonNode node) {
        List<String> kinds = new ArrayList<>();
        kinds.add(node.getClass().getSimpleName());
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> kinds.addAll(kinds(f.getValue())));
        } else if (node.isArray()) {
            node.forEach(e -> kinds.addAll(kinds(e)));
        }
        return kinds;
    }
}
