package org.qmp4j.qga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

/** The agent's read budget: a reply at the frame cap passes; a flood beyond the burst stops the reading. */
class ReadThrottleTest {
    @Test
    void aReplyAtTheFrameCapPassesAndAFloodStopsTheReading() {
        EmbeddedChannel channel = new EmbeddedChannel(new ReadThrottle());
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[10 << 20]));
        assertThat(channel.config().isAutoRead()).as("a 10 MiB reply").isTrue();

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[8 << 20]));
        assertThat(channel.config().isAutoRead()).as("18 MiB at once").isFalse();
        for (Object read = channel.readInbound(); read != null; read = channel.readInbound()) {
            ReferenceCountUtil.release(read); // every byte was still passed on, none lost
        }
        channel.finishAndReleaseAll();
    }
}
