package org.qmp4j.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.qmp4j.core.JsonTrees;

/**
 * JSON in and out of the CLI: strict parsing of arguments, jq-like pretty output, compact lines.
 * With Jackson's streaming parser and generator only (no {@code ObjectMapper}, whose set-up
 * would cost every command tens of milliseconds).
 */
final class CliJson {
    /** Strict: duplicate keys in an argument are the user's mistake (and so is trailing garbage, below). */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private CliJson() {
    }

    /**
     * Parses a JSON object given on the command line.
     *
     * @throws IllegalArgumentException if it is not valid JSON or not an object
     */
    static ObjectNode parseObject(String text) {
        JsonNode node;
        try (JsonParser parser = STRICT.createParser(text)) {
            node = JsonTrees.readOnly(parser);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /** One pretty-printed document, two-space indented, without a trailing newline. */
    static String pretty(JsonNode node) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = STRICT.createGenerator(text)) {
            generator.setPrettyPrinter(prettyPrinter()); // a printer keeps the nesting: one per document
            JsonTrees.write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** One compact line, without a newline. */
    static String line(JsonNode node) {
        return JsonTrees.toText(node);
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return printer;
    }
}
