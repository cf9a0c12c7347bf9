package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.qmp4j.core.ProtocolException;

/**
 * The server's greeting: its version and the capabilities it offers (e.g. {@code oob}).
 *
 * @param version the QEMU version
 * @param capabilities capabilities offered, in the server's order
 */
public record Greeting(QemuVersion version, List<String> capabilities) {
    public Greeting {
        capabilities = List.copyOf(capabilities);
    }

    /**
     * Reads the {@code "QMP"} member of a greeting message.
     *
     * @throws ProtocolException if it is not a greeting
     */
    public static Greeting parse(JsonNode message) {
        JsonNode qmp = message.get("QMP");
        if (qmp == null || !qmp.isObject()) {
            throw new ProtocolException("expected a QMP greeting, got: " + abbreviate(message));
        }
        JsonNode v = qmp.path("version");
        JsonNode q = v.path("qemu");
        QemuVersion version = new QemuVersion(q.path("major").asInt(), q.path("minor").asInt(),
                q.path("micro").asInt(), v.path("package").asText(""));
        List<String> caps = new ArrayList<>();
        qmp.path("capabilities").forEach(c -> caps.add(c.asText()));
        return new Greeting(version, caps);
    }

    /** Whether the server offers {@code capability}. */
    public boolean offers(String capability) {
        return capabilities.contains(capability);
    }

    private static String abbreviate(JsonNode message) {
        String s = message.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
