package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.qmp4j.testkit.QmpMessages;

/** Event filters by name and by data, alone and combined. */
class EventFilterTest {
    private static final QmpEvent JOB = event("BLOCK_JOB_READY",
            "{\"device\": \"job0\", \"len\": 1024, \"offset\": 1.5, \"ready\": true, "
                    + "\"node\": {\"name\": \"disk0\", \"depth\": 2}, \"gone\": null}");
    private static final QmpEvent STOP = event("STOP", null);

    @Test
    void allTakesEverything() {
        assertThat(EventFilter.all().test(JOB)).isTrue();
        assertThat(EventFilter.all().test(STOP)).isTrue();
    }

    @Test
    void namesMatchExactly() {
        EventFilter filter = EventFilter.names("STOP", "RESUME");

        assertThat(filter.test(STOP)).isTrue();
        assertThat(filter.test(JOB)).isFalse();
        assertThat(EventFilter.names("stop").test(STOP)).isFalse();
        assertThat(EventFilter.names().test(STOP)).isFalse();
    }

    @Test
    void dataEqualsComparesTextBooleansAndNestedPaths() {
        assertThat(EventFilter.dataEquals("device", "job0").test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("device", "job1").test(JOB)).isFalse();
        assertThat(EventFilter.dataEquals("ready", true).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("node.name", "disk0").test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("node.depth", 2).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("node.missing", "disk0").test(JOB)).isFalse();
        assertThat(EventFilter.dataEquals("device", "job0").test(STOP)).isFalse();
    }

    @Test
    void dataEqualsComparesNumbersByValue() {
        assertThat(EventFilter.dataEquals("len", 1024).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("len", 1024L).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("len", 1024.0).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("len", new BigDecimal("1.024E3")).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("len", 1025).test(JOB)).isFalse();
        assertThat(EventFilter.dataEquals("offset", new BigDecimal("1.50")).test(JOB)).isTrue();
        // A number never equals its text.
        assertThat(EventFilter.dataEquals("len", "1024").test(JOB)).isFalse();
    }

    @Test
    void dataEqualsNullMatchesAJsonNullOnly() {
        assertThat(EventFilter.dataEquals("gone", null).test(JOB)).isTrue();
        assertThat(EventFilter.dataEquals("len", null).test(JOB)).isFalse();
        assertThat(EventFilter.dataEquals("absent", null).test(JOB)).isFalse();
    }

    @Test
    void namedCombinesNameAndData() {
        assertThat(EventFilter.named("BLOCK_JOB_READY", "device", "job0").test(JOB)).isTrue();
        assertThat(EventFilter.named("BLOCK_JOB_COMPLETED", "device", "job0").test(JOB)).isFalse();
        assertThat(EventFilter.named("BLOCK_JOB_READY", "device", "job9").test(JOB)).isFalse();
    }

    @Test
    void andOrCombine() {
        EventFilter stop = EventFilter.names("STOP");
        EventFilter job0 = EventFilter.dataEquals("device", "job0");

        assertThat(stop.or(job0).test(STOP)).isTrue();
        assertThat(stop.or(job0).test(JOB)).isTrue();
        assertThat(stop.and(job0).test(STOP)).isFalse();
        assertThat(stop.and(job0).test(JOB)).isFalse();
        assertThat(EventFilter.names("BLOCK_JOB_READY").and(job0).test(JOB)).isTrue();
    }

    private static QmpEvent event(String name, String data) {
        return new QmpEvent(name, data == null ? null : (ObjectNode) QmpMessages.parse(data), Instant.EPOCH);
    }
}
