package org.qmp4j.core.transport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;

/**
 * The one Jackson configuration: lenient decoding, since newer QEMU adds fields and enum values,
 * and explicit limits on what a peer (a guest, above all) can make the parser do.
 */
public final class Json {
    /** Deepest nesting read: a 200-layer backing chain in {@code query-block} is about 400 deep. */
    public static final int MAX_NESTING_DEPTH = 500;
    /** Longest number: QMP's are 64-bit, 20 digits at most. */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Longest string: no frame is longer than a connection's cap (16 MiB by default) anyway. */
    public static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;

    /**
     * Most JSON values (tokens) read from one QMP message: {@code query-qmp-schema}, the largest,
     * has about 36,000 on QEMU 10.0. This only bounds the tree a message can make.
     */
    public static final long MAX_TOKENS = 4_000_000;
    /**
     * Most JSON values read from one message of a guest (the agent): a 10 MiB reply of
     * {@code [0,0,...]} would otherwise become a tree of 5 million nodes, hundreds of MiB of heap.
     * Legitimate replies are far below it (a large {@code guest-exec-status} is one string).
     */
    public static final long GUEST_MAX_TOKENS = 100_000;

    /** Reads and writes JSON text with the limits above; thread-safe. */
    public static final JsonFactory FACTORY = factory(MAX_TOKENS);
    /** The same, with the tighter {@link #GUEST_MAX_TOKENS}: for reading what a guest sends. */
    public static final JsonFactory GUEST_FACTORY = factory(GUEST_MAX_TOKENS);

    private static JsonFactory factory(long maxTokens) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH).maxStringLength(MAX_STRING_LENGTH)
                        .maxTokenCount(maxTokens).build())
                .build();
    }

    /**
     * Jackson's data binding, built on first use: only for what the trees of {@link JsonTrees}
     * do not cover (decoding into a caller's own class, encoding a caller's object). Building a
     * mapper costs a new JVM 30-50 ms (its static set-up: date formats, locale data, type
     * factory), which the CLI would pay for every command.
     */
    public static ObjectMapper mapper() {
        return Mapper.INSTANCE;
    }

    private static final class Mapper {
        static final ObjectMapper INSTANCE = JsonMapper.builder(FACTORY)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
                .build();
    }

    private Json() {
    }

    /** Arguments object for a command: {@code null} stays null, a node is used as is, anything else is converted. */
    public static ObjectNode toArguments(Object args) {
        if (args == null) {
            return null;
        }
        JsonNode node = JsonTrees.toTree(args);
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
            return mapper().treeToValue(value, type);
        } catch (Exception e) {
            throw new ProtocolException(command + ": cannot decode reply as " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Decodes a reply with {@code decoder}, qmp4j's own for its own records (no data binding, see
     * {@link #mapper()}); a reply it cannot read is the peer's protocol error.
     */
    public static <T> T decode(String command, JsonNode value, Function<JsonNode, T> decoder) {
        try {
            return decoder.apply(value);
        } catch (RuntimeException e) {
            throw new ProtocolException(command + ": cannot decode reply: " + e.getMessage(), e);
        }
    }

    /**
     * {@code text} as a peer sent it, made fit for a log line: control characters, line and
     * paragraph separators and bidirectional overrides escaped as {@code \\uXXXX}, at most
     * {@code max} characters kept.
     */
    public static String printable(String text, int max) {
        String cut = excerpt(text, max);
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            boolean unsafe = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029
                    || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
            if (unsafe) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** At most {@code max} characters of {@code text}, for error messages about untrusted input. */
    public static String excerpt(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "... (" + text.length() + " chars)";
    }
}
