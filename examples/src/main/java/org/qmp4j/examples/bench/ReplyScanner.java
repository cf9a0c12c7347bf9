package org.qmp4j.examples.bench;

import java.nio.ByteBuffer;

/**
 * Classifies one QMP line by its top-level keys without building a JSON tree: enough for the
 * hand-written client to tell a reply from an event and to read the reply's numeric {@code id}.
 * QEMU writes the keys of a message in no fixed order ({@code "id"} may come first or last), so
 * this walks the top level of the object, skipping strings and nested values; it does not
 * validate the JSON. Reusable, not thread-safe: the results describe the last scanned line.
 */
final class ReplyScanner {
    /** What a line is. */
    enum Kind { OTHER, RETURN, ERROR, EVENT, GREETING }

    private Kind kind;
    private long id;
    private boolean numericId;

    /** Scans the line {@code buf[start, end)} (without its line end). */
    void scan(ByteBuffer buf, int start, int end) {
        kind = Kind.OTHER;
        numericId = false;
        id = -1;
        int depth = 0;
        boolean expectKey = false;
        for (int i = start; i < end; i++) {
            byte c = buf.get(i);
            switch (c) {
                case '"' -> {
                    int close = closingQuote(buf, i + 1, end);
                    if (depth == 1 && expectKey) {
                        i = onKey(buf, i + 1, close, end);
                        expectKey = false;
                    } else {
                        i = close;
                    }
                }
                case '{', '[' -> {
                    depth++;
                    expectKey = c == '{' && depth == 1;
                }
                case '}', ']' -> depth--;
                case ',' -> expectKey = depth == 1;
                default -> {
                    // values, separators and white space
                }
            }
        }
    }

    /** The kind of the last scanned line. */
    Kind kind() {
        return kind;
    }

    /** Whether the last line had a numeric top-level {@code id}. */
    boolean hasNumericId() {
        return numericId;
    }

    /** The last line's numeric {@code id}; meaningful only if {@link #hasNumericId()}. */
    long id() {
        return id;
    }

    /** Handles the key {@code buf[from, to)}; returns the index scanning continues after. */
    private int onKey(ByteBuffer buf, int from, int to, int end) {
        int length = to - from;
        if (length == 2 && buf.get(from) == 'i' && buf.get(from + 1) == 'd') {
            return readId(buf, to + 1, end);
        }
        if (is(buf, from, length, "return")) {
            kind = Kind.RETURN;
        } else if (is(buf, from, length, "error")) {
            kind = Kind.ERROR;
        } else if (is(buf, from, length, "event")) {
            kind = Kind.EVENT;
        } else if (is(buf, from, length, "QMP")) {
            kind = Kind.GREETING;
        }
        return to;
    }

    /** Reads a numeric id after {@code "id"}; a string id is left as "not numeric". */
    private int readId(ByteBuffer buf, int i, int end) {
        while (i < end && (buf.get(i) == ':' || buf.get(i) == ' ')) {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < end) {
            byte c = buf.get(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            digits++;
            i++;
        }
        if (digits > 0 && digits < 19) {
            numericId = true;
            id = value;
        }
        return i - 1;
    }

    private static boolean is(ByteBuffer buf, int from, int length, String key) {
        if (length != key.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (buf.get(from + k) != key.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int closingQuote(ByteBuffer buf, int i, int end) {
        while (i < end) {
            byte c = buf.get(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
        return end;
    }
}
