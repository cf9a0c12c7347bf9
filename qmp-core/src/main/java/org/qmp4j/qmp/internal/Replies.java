package org.qmp4j.qmp.internal;

import static org.qmp4j.core.transport.JsonFields.bool;
import static org.qmp4j.core.transport.JsonFields.object;
import static org.qmp4j.core.transport.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.qmp4j.core.transport.JsonFields;
import org.qmp4j.qmp.ChardevInfo;
import org.qmp4j.qmp.StatusInfo;

/**
 * The replies qmp4j itself reads into records, read by hand: Jackson's data binding would cost a
 * fresh JVM (the CLI) tens of milliseconds of introspection for each record type it first meets.
 * A caller's {@code execute(command, arguments, StatusInfo.class)} still goes through Jackson.
 */
public final class Replies {
    private Replies() {
    }

    /** {@code query-status}. */
    public static StatusInfo status(JsonNode reply) {
        JsonNode o = object(reply, "query-status");
        return new StatusInfo(bool(o, "running"), text(o, "status"));
    }

    /** {@code query-chardev}. */
    public static List<ChardevInfo> chardevs(JsonNode reply) {
        return JsonFields.elements(reply, c -> new ChardevInfo(text(c, "label"), text(c, "filename"),
                bool(c, "frontend-open")));
    }
}
