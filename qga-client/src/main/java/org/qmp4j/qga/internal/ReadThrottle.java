package org.qmp4j.qga.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.qmp4j.core.transport.LogBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a guest agent to the bytes an agent can have reason to send: a burst of
 * {@value #BURST_BYTES} bytes (a reply at the frame cap fits), refilled at {@value #BYTES_PER_SECOND}
 * bytes per second. Past that the connection stops reading until the budget is back, so the
 * guest's writes wait, not the host's I/O thread: an agent that floods cannot take the event loop
 * it shares with other VMs' connections. First in the pipeline, before any parsing.
 */
final class ReadThrottle extends ChannelInboundHandlerAdapter {
    static final long BURST_BYTES = 16L * 1024 * 1024;
    static final long BYTES_PER_SECOND = 4L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ReadThrottle.class);

    private final LogBudget logs = new LogBudget();
    private long tokens = BURST_BYTES;
    private long lastRefill = System.nanoTime();
    private boolean paused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            refill();
            tokens -= bytes.readableBytes();
        }
        ctx.fireChannelRead(msg);
        if (tokens < 0 && !paused) {
            pause(ctx);
        }
    }

    private void refill() {
        long now = System.nanoTime();
        long earned = (now - lastRefill) * BYTES_PER_SECOND / 1_000_000_000L;
        if (earned > 0) {
            tokens = Math.min(BURST_BYTES, tokens + earned);
            lastRefill = now;
        }
    }

    private void pause(ChannelHandlerContext ctx) {
        paused = true;
        ctx.channel().config().setAutoRead(false);
        long waitNanos = -tokens * 1_000_000_000L / BYTES_PER_SECOND + 1;
        String note = logs.take();
        if (note != null) {
            LOG.warn("guest agent {} sends more than {} bytes/s: not read for {} ms{}", ctx.channel().remoteAddress(),
                    BYTES_PER_SECOND, TimeUnit.NANOSECONDS.toMillis(waitNanos), note);
        }
        ctx.executor().schedule(() -> {
            paused = false;
            refill();
            ctx.channel().config().setAutoRead(true);
        }, waitNanos, TimeUnit.NANOSECONDS);
    }
}
