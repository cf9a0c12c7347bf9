package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qmp4j.core.transport.Frame;

/** The agent's framing: the shared JSON lines plus the {@code 0xFF} marker, in stream order. */
class AgentFrameDecoderTest {
    private static final byte[] RESYNC = {(byte) 0xFF};

    private final EmbeddedChannel channel = new EmbeddedChannel(new AgentFrameDecoder(1024));

    @AfterEach
    void releaseChannel() {
        channel.finishAndReleaseAll();
    }

    @Test
    void plainLinesAreFramesWithNoMarker() {
        List<Object> out = feed(bytes("{\"a\": 1}\r\n{\"b\": 2}\n"));

        assertThat(out).hasSize(2).allMatch(o -> o instanceof Frame);
    }

    @Test
    void markerDiscardsThePartialLineAndComesRightBeforeTheNextFrame() {
        List<Object> out = feed(bytes("{\"stale\": \"half a rep"), RESYNC,
                bytes("{\"return\": {}, \"id\": 5}\n{\"event\": \"STOP\"}\n"));

        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isSameAs(AgentFrameDecoder.SYNC_MARKER);
        assertThat(message(out.get(1))).isEqualTo("{\"return\":{},\"id\":5}");
        assertThat(message(out.get(2))).isEqualTo("{\"event\":\"STOP\"}");
    }

    @Test
    void markerInItsOwnChunkAfterAPartialLine() {
        List<Object> out = feed(bytes("{\"id\": 1, \"ret"), RESYNC, bytes("{\"return\": 1}\r\n"));

        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isSameAs(AgentFrameDecoder.SYNC_MARKER);
        assertThat(((Frame) out.get(1)).error()).isNull();
    }

    /** The gate passes only the message right after a marker, and drops the marker itself. */
    @Test
    void gateOpensOnlyForTheMessageThatFollowsAMarker() {
        EmbeddedChannel gated = new EmbeddedChannel(new AgentFrameDecoder(1024), new ResyncGate());
        try {
            gated.writeInbound(Unpooled.wrappedBuffer(bytes("{\"return\": \"stale\", \"id\": 1}\n")));
            gated.writeInbound(Unpooled.wrappedBuffer(RESYNC));
            gated.writeInbound(Unpooled.wrappedBuffer(bytes("{\"return\": 42, \"id\": 2}\n{\"return\": 3, \"id\": 3}\n")));
            List<Object> passed = new ArrayList<>();
            for (Object o = gated.readInbound(); o != null; o = gated.readInbound()) {
                passed.add(o);
            }
            assertThat(passed).extracting(AgentFrameDecoderTest::message)
                    .containsExactly("{\"return\":42,\"id\":2}", "{\"return\":3,\"id\":3}");
        } finally {
            gated.finishAndReleaseAll();
        }
    }

    private List<Object> feed(byte[]... chunks) {
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
        return out;
    }

    private static String message(Object frame) {
        assertThat(frame).isInstanceOf(Frame.class);
        assertThat(((Frame) frame).error()).isNull();
        return ((Frame) frame).message().toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
