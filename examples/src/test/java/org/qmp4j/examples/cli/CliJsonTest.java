package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.qmp4j.qmp.QmpEvent;

class CliJsonTest {
    @Test
    void parsesAnObject() {
        ObjectNode args = CliJson.parseObject("{\"path\":\"/\",\"n\":[1,2]}");

        assertThat(args.path("path").asText()).isEqualTo("/");
        assertThat(args.path("n").size()).isEqualTo(2);
    }

    @Test
    void rejectsWhatIsNotOneObject() {
        assertThatThrownBy(() -> CliJson.parseObject("[1]")).hasMessage("must be a JSON object, got array");
        assertThatThrownBy(() -> CliJson.parseObject("\"x\"")).hasMessage("must be a JSON object, got string");
        assertThatThrownBy(() -> CliJson.parseObject("")).hasMessage("must be a JSON object, got nothing");
        assertThatThrownBy(() -> CliJson.parseObject("{\"a\":1")).hasMessageStartingWith("not valid JSON: ");
        assertThatThrownBy(() -> CliJson.parseObject("{} {}")).hasMessageStartingWith("not valid JSON: ");
        assertThatThrownBy(() -> CliJson.parseObject("{\"a\":1,\"a\":2}"))
                .hasMessageStartingWith("not valid JSON: Duplicate field 'a'");
    }

    @Test
    void prettyPrintsLikeJq() {
        JsonNode node = CliJson.parseObject("{\"a\":1,\"b\":[true,{}],\"c\":{},\"d\":[]}");

        assertThat(CliJson.pretty(node)).isEqualTo("""
                {
                  "a": 1,
                  "b": [
                    true,
                    {}
                  ],
                  "c": {},
                  "d": []
                }""");
        assertThat(CliJson.pretty(JsonNodeFactory.instance.objectNode())).isEqualTo("{}");
    }

    @Test
    void eventLineIsTheWireFormAndReadsBackAsTheSameEvent() {
        ObjectNode data = CliJson.parseObject("{\"device\":\"disk0\",\"len\":5}");
        QmpEvent event = new QmpEvent("BLOCK_JOB_READY", data, Instant.ofEpochSecond(1700000000L, 123_456_000L));

        String line = CliJson.line(EventsCommand.toWire(event));

        assertThat(line).isEqualTo("{\"event\":\"BLOCK_JOB_READY\",\"data\":{\"device\":\"disk0\",\"len\":5},"
                + "\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
        assertThat(QmpEvent.parse(CliJson.parseObject(line))).isEqualTo(event);
    }

    @Test
    void eventWithoutDataGetsAnEmptyObject() {
        QmpEvent event = new QmpEvent("STOP", null, Instant.ofEpochSecond(5));

        assertThat(CliJson.line(EventsCommand.toWire(event)))
                .isEqualTo("{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":5,\"microseconds\":0}}");
    }
}
