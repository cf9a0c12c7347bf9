package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.QmpMessages;

/**
 * Introspection over a small hand-written schema shaped like QEMU 7.2's {@code query-qmp-schema}
 * output: masked type names ("10", "[21]"), a flat union with {@code tag} and {@code variants},
 * alternates, an array, enums (with both {@code values} and {@code members}), features on
 * commands and members, {@code allow-oob}, and builtins.
 */
class QmpSchemaTest {
    private static final String SCHEMA = """
            [
              {"name": "query-status", "ret-type": "1", "meta-type": "command", "arg-type": "0"},
              {"name": "0", "members": [], "meta-type": "object"},
              {"name": "1", "members": [{"name": "running", "type": "bool"}, {"name": "status", "type": "2"}],
               "meta-type": "object"},
              {"name": "2", "meta-type": "enum", "values": ["running", "paused"],
               "members": [{"name": "running"}, {"name": "paused"}]},
              {"name": "migrate-recover", "ret-type": "0", "allow-oob": true, "meta-type": "command",
               "arg-type": "3"},
              {"name": "3", "members": [{"name": "uri", "type": "str"}], "meta-type": "object"},

              {"name": "blockdev-add", "ret-type": "0", "meta-type": "command", "arg-type": "10"},
              {"name": "10", "tag": "driver", "meta-type": "object",
               "members": [{"name": "driver", "type": "11"}, {"name": "node-name", "default": null, "type": "str"},
                           {"name": "discard", "default": null, "type": "12"},
                           {"name": "detect-zeroes", "default": null, "type": "18"}],
               "variants": [{"case": "file", "type": "13"}, {"case": "qcow2", "type": "14"},
                            {"case": "raw", "type": "19"}]},
              {"name": "11", "meta-type": "enum", "values": ["file", "qcow2", "raw"],
               "members": [{"name": "file"}, {"name": "qcow2"}, {"name": "raw"}]},
              {"name": "12", "meta-type": "enum", "values": ["ignore", "unmap"],
               "members": [{"name": "ignore"}, {"name": "unmap"}]},
              {"name": "13", "meta-type": "object",
               "members": [{"name": "filename", "type": "str"},
                           {"name": "x-check-cache-dropped", "default": null, "type": "bool",
                            "features": ["unstable"]}]},
              {"name": "14", "meta-type": "object",
               "members": [{"name": "file", "type": "16"}, {"name": "backing", "default": null, "type": "17"}]},
              {"name": "16", "meta-type": "alternate", "members": [{"type": "10"}, {"type": "str"}]},
              {"name": "17", "meta-type": "alternate", "members": [{"type": "10"}, {"type": "str"}, {"type": "null"}]},
              {"name": "18", "meta-type": "alternate", "members": [{"type": "bool"}, {"type": "20"}]},
              {"name": "19", "meta-type": "object", "members": [{"name": "offset", "default": null, "type": "int"}]},
              {"name": "20", "meta-type": "enum", "values": ["off", "on", "unmap"],
               "members": [{"name": "off"}, {"name": "on"}, {"name": "unmap"}]},

              {"name": "transaction", "ret-type": "0", "meta-type": "command", "arg-type": "30"},
              {"name": "30", "meta-type": "object",
               "members": [{"name": "actions", "type": "[31]"}, {"name": "properties", "default": null, "type": "32"}]},
              {"name": "[31]", "element-type": "31", "meta-type": "array"},
              {"name": "31", "tag": "type", "meta-type": "object", "members": [{"name": "type", "type": "33"}],
               "variants": [{"case": "blockdev-snapshot", "type": "34"}, {"case": "abort", "type": "35"}]},
              {"name": "32", "meta-type": "object", "members": [{"name": "completion-mode", "default": null, "type": "str"}]},
              {"name": "33", "meta-type": "enum", "values": ["abort", "blockdev-snapshot"],
               "members": [{"name": "abort"}, {"name": "blockdev-snapshot"}]},
              {"name": "34", "meta-type": "object", "members": [{"name": "data", "type": "36"}]},
              {"name": "35", "meta-type": "object", "members": [{"name": "data", "type": "0"}]},
              {"name": "36", "meta-type": "object",
               "members": [{"name": "node", "type": "str"}, {"name": "overlay", "type": "str"}]},

              {"name": "block-job-complete", "ret-type": "0", "meta-type": "command", "arg-type": "40",
               "features": ["deprecated"]},
              {"name": "40", "meta-type": "object",
               "members": [{"name": "device", "type": "str", "features": ["deprecated"]}]},
              {"name": "blockdev-snapshot", "ret-type": "0", "meta-type": "command", "arg-type": "36",
               "features": ["allow-write-only-overlay"]},

              {"name": "SHUTDOWN", "meta-type": "event", "arg-type": "0"},
              {"name": "STOP", "meta-type": "event", "arg-type": "0"},
              {"name": "str", "json-type": "string", "meta-type": "builtin"},
              {"name": "bool", "json-type": "boolean", "meta-type": "builtin"},
              {"name": "int", "json-type": "int", "meta-type": "builtin"},
              {"name": "null", "json-type": "null", "meta-type": "builtin"}
            ]
            """;

    private final QmpSchema schema = QmpSchema.parse(QmpMessages.parse(SCHEMA));

    @Test
    void knowsCommandsAndEventsButNotTypes() {
        assertThat(schema.commands()).containsExactlyInAnyOrder("query-status", "migrate-recover", "blockdev-add",
                "transaction", "block-job-complete", "blockdev-snapshot");
        assertThat(schema.events()).containsExactlyInAnyOrder("SHUTDOWN", "STOP");
        assertThat(schema.hasCommand("blockdev-add")).isTrue();
        assertThat(schema.hasCommand("blockdev-reopen")).isFalse();
        assertThat(schema.hasCommand("10")).isFalse();
        assertThat(schema.hasCommand("STOP")).isFalse();
        assertThat(schema.hasEvent("STOP")).isTrue();
        assertThat(schema.hasEvent("query-status")).isFalse();
    }

    @Test
    void topLevelArgumentsOfAnObjectAndOfAUnion() {
        assertThat(schema.hasArgument("blockdev-add", "driver")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "node-name")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "nonexistent")).isFalse();
        assertThat(schema.hasArgument("query-status", "running")).as("a return member is no argument").isFalse();
        assertThat(schema.hasArgument("no-such-command", "driver")).isFalse();
    }

    @Test
    void argumentsOfUnionBranchesCount() {
        assertThat(schema.hasArgument("blockdev-add", "filename")).as("file branch").isTrue();
        assertThat(schema.hasArgument("blockdev-add", "backing")).as("qcow2 branch").isTrue();
        assertThat(schema.hasArgument("blockdev-add", "offset")).as("raw branch").isTrue();
    }

    @Test
    void dottedPathsGoThroughAlternatesArraysAndVariants() {
        assertThat(schema.hasArgument("blockdev-add", "file.driver")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "file.filename")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "backing.file.filename")).isTrue();
        assertThat(schema.hasArgument("blockdev-add", "file.nonexistent")).isFalse();
        assertThat(schema.hasArgument("blockdev-add", "node-name.driver")).as("str has no members").isFalse();

        assertThat(schema.hasArgument("transaction", "actions")).isTrue();
        assertThat(schema.hasArgument("transaction", "actions.type")).isTrue();
        assertThat(schema.hasArgument("transaction", "actions.data.overlay")).isTrue();
        assertThat(schema.hasArgument("transaction", "actions.data.nonexistent")).isFalse();
        assertThat(schema.hasArgument("transaction", "properties.completion-mode")).isTrue();
    }

    @Test
    void enumValuesOfArgumentsIncludingThroughAlternates() {
        assertThat(schema.argumentValues("blockdev-add", "driver")).containsExactly("file", "qcow2", "raw");
        assertThat(schema.argumentValues("blockdev-add", "discard")).containsExactly("ignore", "unmap");
        assertThat(schema.argumentValues("blockdev-add", "detect-zeroes")).containsExactly("off", "on", "unmap");
        assertThat(schema.argumentValues("blockdev-add", "file.driver")).containsExactly("file", "qcow2", "raw");
        assertThat(schema.argumentValues("transaction", "actions.type")).containsExactly("abort", "blockdev-snapshot");
        assertThat(schema.argumentValues("blockdev-add", "node-name")).as("not an enum").isEmpty();
        assertThat(schema.argumentValues("blockdev-add", "nonexistent")).isEmpty();
    }

    @Test
    void featuresOfCommandsAndArguments() {
        assertThat(schema.commandFeatures("block-job-complete")).containsExactly("deprecated");
        assertThat(schema.hasFeature("block-job-complete", "deprecated")).isTrue();
        assertThat(schema.hasFeature("blockdev-snapshot", "allow-write-only-overlay")).isTrue();
        assertThat(schema.hasFeature("blockdev-add", "deprecated")).isFalse();
        assertThat(schema.commandFeatures("no-such-command")).isEmpty();
        assertThat(schema.argumentFeatures("block-job-complete", "device")).containsExactly("deprecated");
        assertThat(schema.argumentFeatures("blockdev-add", "x-check-cache-dropped")).containsExactly("unstable");
        assertThat(schema.argumentFeatures("blockdev-add", "driver")).isEmpty();
    }

    @Test
    void allowsOobOnlyWhereTheSchemaSaysSo() {
        assertThat(schema.allowsOob("migrate-recover")).isTrue();
        assertThat(schema.allowsOob("query-status")).isFalse();
        assertThat(schema.allowsOob("no-such-command")).isFalse();
    }

    @Test
    void somethingOtherThanAnArrayIsAProtocolError() {
        assertThatThrownBy(() -> QmpSchema.parse(QmpMessages.parse("{\"name\": \"x\"}")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> QmpSchema.parse(null)).isInstanceOf(ProtocolException.class);
    }
}
