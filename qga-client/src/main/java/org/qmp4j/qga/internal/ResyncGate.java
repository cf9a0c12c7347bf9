package org.qmp4j.qga.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.qmp4j.core.transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops everything the agent sends while a resynchronisation is under way, up to the first
 * message that follows a {@code 0xFF} delimiter (the reply to {@code guest-sync-delimited}). What
 * is dropped is stale: replies to commands given up on, half-written lines, and the id-less parse
 * error QEMU 7.2's agent sends for our own {@code 0xFF}. Event loop only.
 */
final class ResyncGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncGate.class);

    /** Starts closed: whatever an earlier client left in the channel is stale. */
    private boolean syncing = true;

    /** Closes the gate until the next delimited message. */
    void beginSync() {
        syncing = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (syncing && msg instanceof Frame frame) {
            if (!frame.delimited() || frame.message() == null) {
                LOG.debug("guest agent: discarding stale data while resynchronising: {}",
                        frame.message() != null ? "a message" : frame.error().getMessage());
                return;
            }
            syncing = false;
        }
        ctx.fireChannelRead(msg);
    }
}
