package org.qmp4j.core.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.qmp4j.core.JsonTrees;

/**
 * A command encoded ahead of time: its line up to, not including, the {@code "id"} and the closing
 * brace. Sending it only appends the id, so nothing of Jackson runs when it goes out (for a
 * command that must leave at once, such as the {@code transaction} inside a freeze window).
 * Immutable.
 */
public final class EncodedCommand {
    private final String name;
    private final byte[] head;

    private EncodedCommand(String name, byte[] head) {
        this.name = name;
        this.head = head;
    }

    /**
     * Encodes {@code name} with {@code arguments} (or none).
     *
     * @throws IllegalArgumentException if the arguments cannot be encoded
     */
    public static EncodedCommand of(String name, ObjectNode arguments) {
        ObjectNode line = JsonNodeFactory.instance.objectNode().put("execute", name);
        if (arguments != null) {
            line.set("arguments", arguments);
        }
        byte[] whole;
        try {
            whole = JsonTrees.toBytes(line);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(name + ": cannot encode arguments: " + e.getCause().getMessage(), e);
        }
        // Compact output ends with the object's closing brace: drop it, the id goes there.
        return new EncodedCommand(name, Arrays.copyOf(whole, whole.length - 1));
    }

    /** The command's name. */
    public String name() {
        return name;
    }

    /** The encoded line without its id and closing brace; the array is shared: do not change it. */
    byte[] head() {
        return head;
    }

    /** Its size on the wire, without the id. */
    public int size() {
        return head.length + 2;
    }

    @Override
    public String toString() {
        return name + " (encoded, " + head.length + " bytes)";
    }
}
