package org.qmp4j.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.qmp4j.core.JsonTrees;

/**
 * Chooses the events a subscription receives. Filters run on the I/O thread for every event, so
 * they must be quick and must not block.
 */
@FunctionalInterface
public interface EventFilter {
    /** Whether {@code event} is wanted. */
    boolean test(QmpEvent event);

    /** Every event. */
    static EventFilter all() {
        return e -> true;
    }

    /** Events with one of these names. */
    static EventFilter names(String... names) {
        Set<String> wanted = Set.copyOf(Arrays.asList(names));
        return e -> wanted.contains(e.name());
    }

    /**
     * Events whose data has {@code value} at the dotted {@code path} ({@code "device"},
     * {@code "a.b"}). Numbers compare by value, whatever their JSON representation.
     */
    static EventFilter dataEquals(String path, Object value) {
        JsonNode expected = JsonTrees.toTree(value);
        return e -> sameValue(e.data(path), expected);
    }

    /** Events named {@code name} whose data has {@code value} at {@code path}. */
    static EventFilter named(String name, String path, Object value) {
        return names(name).and(dataEquals(path, value));
    }

    /** Both filters. */
    default EventFilter and(EventFilter other) {
        Objects.requireNonNull(other, "other");
        return e -> test(e) && other.test(e);
    }

    /** Either filter. */
    default EventFilter or(EventFilter other) {
        Objects.requireNonNull(other, "other");
        return e -> test(e) || other.test(e);
    }

    private static boolean sameValue(JsonNode actual, JsonNode expected) {
        if (actual.isNumber() && expected.isNumber()) {
            return actual.decimalValue().compareTo(expected.decimalValue()) == 0;
        }
        return actual.equals(expected);
    }
}
