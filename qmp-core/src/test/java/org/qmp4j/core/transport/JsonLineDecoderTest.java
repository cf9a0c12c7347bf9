package org.qmp4j.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.testkit.QmpMessages;

/**
 * Line framing and JSON decoding, fed byte by byte or all at once, without a socket. The agent's
 * {@code 0xFF} marker is tested with its decoder in qga-client (AgentFrameDecoderTest).
 */
class JsonLineDecoderTest {
    private static final int CAP = 1024;
    private static final byte RESYNC = (byte) 0xFF;

    private EmbeddedChannel channel;

    @AfterEach
    void releaseChannel() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void crlfAndLfLinesAreFramesEvenInOneChunk() {
        List<Frame> frames = feed(bytes("{\"a\": 1}\r\n{\"b\": 2}\n{\"c\": 3}\r\n"));

        assertThat(messages(frames)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
    }

    /** What a hostile peer can make the parser do is bounded: nesting and number length. */
    @Test
    void tooDeepNestingAndHugeNumbersAreProtocolErrorsOfTheirFrameAlone() {
        String deep = "{\"a\":" + "[".repeat(Json.MAX_NESTING_DEPTH + 10) + "]".repeat(Json.MAX_NESTING_DEPTH + 10) + "}\n";
        String huge = "{\"return\": " + "9".repeat(Json.MAX_NUMBER_LENGTH + 1) + "}\n";
        channel = new EmbeddedChannel(new JsonLineDecoder(64 * 1024));
        List<Frame> frames = readAll(bytes(deep + huge + "{\"ok\": 1}\n"));

        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).error()).isInstanceOf(org.qmp4j.core.ProtocolException.class)
                .hasMessageContaining("nesting depth");
        assertThat(frames.get(1).error()).isInstanceOf(org.qmp4j.core.ProtocolException.class)
                .hasMessageContaining("Number value length");
        assertThat(frames.get(2).message().path("ok").asInt()).isEqualTo(1);
    }

    @Test
    void blankLinesAreSkipped() {
        List<Frame> frames = feed(bytes("\r\n\n   \r\n\t\n{\"a\": 1}\r\n\r\n"));

        assertThat(messages(frames)).containsExactly("{\"a\":1}");
    }

    @Test
    void lineArrivingOneByteAtATimeIsOneFrame() {
        String line = "{\"return\": {\"status\": \"running\"}, \"id\": 7}\r\n";

        List<Frame> frames = feed(split(bytes(line), 1));

        assertThat(messages(frames)).containsExactly("{\"return\":{\"status\":\"running\"},\"id\":7}");
    }

    @Test
    void partialLineStaysBufferedUntilItsEnd() {
        List<Frame> first = feed(bytes("{\"a\": "));
        assertThat(first).isEmpty();

        assertThat(messages(readAll(bytes("1}\n")))).containsExactly("{\"a\":1}");
    }

    @Test
    void withoutAMarkerByteTheAgentsResyncByteIsInvalidJson() {
        List<Frame> frames = feed(concat(new byte[] {RESYNC}, bytes("{\"return\": {}}\n")));

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).message()).isNull();
        assertThat(frames.get(0).error()).isInstanceOf(ProtocolException.class)
                .isNotInstanceOf(FrameTooLargeException.class);
    }

    @Test
    void lineOfExactlyTheCapIsAccepted() {
        List<Frame> frames = feed(split(lineOfLength(CAP), 100));

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).error()).isNull();
    }

    @Test
    void completeLineOverTheCapFailsOnceAndTheNextLineStillDecodes() {
        List<Frame> frames = feed(concat(lineOfLength(CAP + 1), bytes("{\"next\": true}\n")));

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).error()).isInstanceOf(FrameTooLargeException.class);
        assertThat(messages(frames.subList(1, 2))).containsExactly("{\"next\":true}");
    }

    @Test
    void unterminatedDataOverTheCapInManyChunksFailsOnceAndIsDiscarded() {
        byte[] endless = new byte[CAP * 4];
        Arrays.fill(endless, (byte) 'x');

        List<Frame> frames = feed(split(endless, 100));

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).error()).isInstanceOfSatisfying(FrameTooLargeException.class,
                e -> assertThat(e.maxFrameBytes()).isEqualTo(CAP));
        // The rest of the oversized line is skipped; the line after it decodes normally.
        assertThat(messages(readAll(bytes("xxxx\n{\"after\": 1}\n")))).containsExactly("{\"after\":1}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1} trailing", "{\"a\": 1}{\"b\": 2}", "{\"a\": 1} {}"})
    void trailingDataAfterTheObjectIsAProtocolError(String line) {
        List<Frame> frames = feed(bytes(line + "\r\n"));

        assertThat(frames).singleElement().satisfies(f -> assertThat(f.error())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("trailing"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "42", "\"text\"", "null", "true"})
    void jsonThatIsNotAnObjectIsAProtocolError(String line) {
        List<Frame> frames = feed(bytes(line + "\n"));

        assertThat(frames).singleElement().satisfies(f -> assertThat(f.error())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not an object"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": }", "{not json", "{\"a\": 1"})
    void invalidJsonIsAProtocolErrorThatQuotesTheLine(String line) {
        List<Frame> frames = feed(bytes(line + "\n"));

        assertThat(frames).singleElement().satisfies(f -> assertThat(f.error())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("invalid JSON")
                .hasMessageContaining(line));
    }

    /** A fresh channel with a decoder; writes each chunk separately and returns every frame. */
    private List<Frame> feed(byte[]... chunks) {
        channel = new EmbeddedChannel(new JsonLineDecoder(CAP));
        return readAll(chunks);
    }

    /** Writes more chunks to the current channel and returns the frames they produced. */
    private List<Frame> readAll(byte[]... chunks) {
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Frame> frames = new ArrayList<>();
        for (Object frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            frames.add((Frame) frame);
        }
        return frames;
    }

    private static List<String> messages(List<Frame> frames) {
        List<String> messages = new ArrayList<>();
        for (Frame frame : frames) {
            assertThat(frame.error()).as("frame error").isNull();
            messages.add(frame.message().toString());
        }
        return messages;
    }

    /** A valid JSON object line whose content (without the LF) is exactly {@code length} bytes. */
    private static byte[] lineOfLength(int length) {
        String prefix = "{\"pad\": \"";
        String suffix = "\"}";
        String line = prefix + "p".repeat(length - prefix.length() - suffix.length()) + suffix;
        assertThat(QmpMessages.parse(line).isObject()).isTrue();
        return bytes(line + "\n");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[][] split(byte[] data, int chunkSize) {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < data.length; i += chunkSize) {
            chunks.add(Arrays.copyOfRange(data, i, Math.min(data.length, i + chunkSize)));
        }
        return chunks.toArray(byte[][]::new);
    }
}
