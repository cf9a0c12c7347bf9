package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.qmp4j.testkit.FakeQmpPeer;
import org.qmp4j.testkit.PeerAction;
import org.qmp4j.testkit.QmpMessages;

/** Fake monitors for the schema caches: what a real QEMU cannot be made to do is change its commands. */
final class SchemaMonitors {
    private SchemaMonitors() {
    }

    /** A monitor whose query-commands and query-qmp-schema list {@code commands}; counts its schema reads. */
    static FakeQmpPeer start(List<String> commands, AtomicInteger schemaReads) {
        FakeQmpPeer peer = FakeQmpPeer.start();
        ArrayNode list = QmpMessages.MAPPER.createArrayNode();
        for (String name : commands) {
            list.addObject().put("name", name);
        }
        ArrayNode schema = schemaOf(commands);
        peer.on("query-commands", req -> List.of(PeerAction.reply(req, list)));
        peer.on("query-qmp-schema", req -> {
            schemaReads.incrementAndGet();
            return List.of(PeerAction.reply(req, schema));
        });
        return peer;
    }

    /** A minimal {@code query-qmp-schema} return value with {@code commands}. */
    static ArrayNode schemaOf(List<String> commands) {
        ArrayNode schema = QmpMessages.MAPPER.createArrayNode();
        for (String name : commands) {
            schema.addObject().put("name", name).put("meta-type", "command").put("arg-type", "0")
                    .put("ret-type", "0");
        }
        schema.addObject().put("name", "0").put("meta-type", "object").putArray("members");
        return schema;
    }
}
