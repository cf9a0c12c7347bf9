package org.qmp4j.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonFields;
import org.qmp4j.qmp.ChardevInfo;
import org.qmp4j.qmp.StatusInfo;

/** The QMP replies read by hand must read as Jackson's data binding reads them, and as leniently. */
class RepliesTest {
    @Test
    void statusAndChardevsReadAsJacksonReadsThem() throws Exception {
        for (String text : new String[] {"{\"status\":\"running\",\"singlestep\":false,\"running\":true}",
                "{\"status\":\"paused\",\"running\":false}", "{\"running\":\"true\",\"status\":7}", "{}"}) {
            JsonNode reply = tree(text);
            assertThat(Replies.status(reply)).as(text).isEqualTo(Json.mapper().treeToValue(reply, StatusInfo.class));
        }
        JsonNode chardevs = tree("[{\"frontend-open\":true,\"filename\":\"unix:/tmp/q.sock,server=on\",\"label\":\"qga0\"},"
                + "{\"label\":\"compat_monitor0\",\"filename\":\"stdio\",\"frontend-open\":false,\"more\":{}}]");
        assertThat(Replies.chardevs(chardevs))
                .isEqualTo(Arrays.asList(Json.mapper().treeToValue(chardevs, ChardevInfo[].class)));
    }

    @Test
    void fieldsOfTheWrongKindAreNamed() throws IOException {
        assertThatThrownBy(() -> Json.decode("query-status", tree("{\"running\":\"maybe\"}"), Replies::status))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("query-status").hasMessageContaining("running");
        assertThatThrownBy(() -> Json.decode("query-status", tree("[]"), Replies::status))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Json.decode("query-chardev", tree("{}"), Replies::chardevs))
                .isInstanceOf(ProtocolException.class);
        JsonNode big = tree("{\"n\":9223372036854775808,\"i\":2147483648,\"t\":\"12\",\"o\":{}}");
        assertThatThrownBy(() -> JsonFields.number(big, "n")).hasMessageContaining("n");
        assertThatThrownBy(() -> JsonFields.intNumber(big, "i")).hasMessageContaining("out of range");
        assertThat(JsonFields.number(big, "t")).isEqualTo(12);
        assertThatThrownBy(() -> JsonFields.text(big, "o")).hasMessageContaining("field o");
        assertThat(JsonFields.optionalNumber(big, "absent")).isNull();
        assertThat(JsonFields.list(big, "absent", n -> n)).isNull();
    }

    private static JsonNode tree(String text) throws IOException {
        return JsonTrees.read(Json.FACTORY, text);
    }
}
