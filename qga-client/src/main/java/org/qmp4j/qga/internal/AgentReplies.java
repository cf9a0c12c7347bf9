package org.qmp4j.qga.internal;

import static org.qmp4j.core.transport.JsonFields.bool;
import static org.qmp4j.core.transport.JsonFields.list;
import static org.qmp4j.core.transport.JsonFields.object;
import static org.qmp4j.core.transport.JsonFields.optionalNumber;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonFields;
import org.qmp4j.qga.AgentInfo;
import org.qmp4j.qga.FsInfo;

/**
 * Reads the plain values of the agent's replies strictly: the guest is not trusted, so a wrong
 * type or an out-of-range number is the agent's protocol error, said as such, never a silent 0
 * or a NullPointerException further on. And the replies read into records, read by hand (no data
 * binding, see {@link Json#mapper()}), through {@link Json#decode}, which reports what does not fit.
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

    /** {@code guest-info}. */
    static AgentInfo info(JsonNode reply) {
        JsonNode o = object(reply, "guest-info");
        return new AgentInfo(JsonFields.text(o, "version"), list(o, "supported_commands",
                c -> new AgentInfo.SupportedCommand(JsonFields.text(c, "name"), bool(c, "enabled"),
                        bool(c, "success-response"))));
    }

    /** {@code guest-get-fsinfo}. */
    static List<FsInfo> fsInfo(JsonNode reply) {
        return List.copyOf(JsonFields.elements(reply, f -> new FsInfo(JsonFields.text(f, "name"),
                JsonFields.text(f, "mountpoint"), JsonFields.text(f, "type"), optionalNumber(f, "used-bytes"),
                optionalNumber(f, "total-bytes"), list(f, "disk", d -> new FsInfo.Disk(JsonFields.text(d, "dev"),
                        JsonFields.text(d, "bus-type"), JsonFields.text(d, "serial"))))));
    }
}
