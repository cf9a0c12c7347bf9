package org.qmp4j.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One step of a {@link FakeQmpPeer}'s scripted answer: bytes to write, a line to write (the
 * peer appends its line ending), a pause, or closing the client's connection. A request handler
 * returns a list of them; the peer runs them in order on its own thread.
 */
public sealed interface PeerAction {

    /** Writes these bytes exactly as given. */
    record Bytes(byte[] bytes) implements PeerAction {
        public Bytes {
            bytes = bytes.clone();
        }
    }

    /** Writes this text (UTF-8) followed by the peer's line ending. */
    record Line(String text) implements PeerAction {
        public Line {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Waits before the next action. */
    record Pause(Duration duration) implements PeerAction {
        public Pause {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** Closes the client's connection (the client sees EOF). */
    record CloseClient() implements PeerAction {
    }

    /** Writes these bytes exactly as given. */
    static PeerAction bytes(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** Writes {@code text} and the line ending. */
    static PeerAction line(String text) {
        return new Line(text);
    }

    /** Waits {@code duration}. */
    static PeerAction pause(Duration duration) {
        return new Pause(duration);
    }

    /** Closes the client's connection. */
    static PeerAction closeClient() {
        return new CloseClient();
    }

    /** Answers {@code request} with {@code {"return": value, "id": <its id>}}. */
    static PeerAction reply(JsonNode request, Object value) {
        return line(QmpMessages.reply(request, value));
    }

    /**
     * How a guest agent answers {@code guest-sync-delimited}: the {@code 0xFF} delimiter, then the
     * reply carrying the request's token.
     */
    static List<PeerAction> agentSync(JsonNode request) {
        return List.of(bytes(new byte[] {(byte) 0xFF}), reply(request, request.path("arguments").path("id")));
    }

    /** Answers {@code request} with an error of this class and description. */
    static PeerAction error(JsonNode request, String errorClass, String description) {
        return line(QmpMessages.error(request, errorClass, description));
    }

    /** Sends an event. */
    static PeerAction event(String name, Object data) {
        return line(QmpMessages.event(name, data));
    }

    /**
     * Writes {@code text} plus {@code lineEnding} one byte at a time with {@code pause} between
     * the bytes: the client must put the message together from many reads.
     */
    static List<PeerAction> trickle(String text, String lineEnding, Duration pause) {
        byte[] all = (text + lineEnding).getBytes(StandardCharsets.UTF_8);
        List<PeerAction> actions = new ArrayList<>(all.length * 2);
        for (byte b : all) {
            actions.add(bytes(new byte[] {b}));
            actions.add(pause(pause));
        }
        return actions;
    }
}
