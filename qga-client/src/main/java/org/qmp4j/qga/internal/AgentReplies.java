package org.qmp4j.qga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;

/**
 * Reads the plain values of the agent's replies strictly: the guest is not trusted, so a wrong
 * type or an out-of-range number is the agent's protocol error, said as such, never a silent 0
 * or a NullPointerException further on.
 */
final class AgentReplies {
    private AgentReplies() {
    }

    /** An int, or a {@link ProtocolException} naming the command. */
    static int integer(String command, String what, JsonNode value) {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new ProtocolException(command + ": " + what + " is not a 32-bit integer: "
                    + Json.printable(String.valueOf(value), 100));
        }
        return value.intValue();
    }

    /** A string, or a {@link ProtocolException} naming the command. */
    static String text(String command, JsonNode value) {
        if (value == null || !value.isTextual()) {
            throw new ProtocolException(command + ": expected a string, got " + Json.printable(String.valueOf(value), 100));
        }
        return value.textValue();
    }
}
