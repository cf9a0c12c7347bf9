package org.qmp4j.qga.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.qmp4j.core.transport.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops everything the agent sends while a resynchronisation is under way, up to the first
 * message that directly follows a {@code 0xFF} delimiter (the reply to {@code guest-sync-delimited}).
 * What is dropped is stale: replies to commands given up on, half-written lines, and the id-less
 * parse error QEMU 7.2's agent sends for our own {@code 0xFF}. The markers themselves never go
 * further up the pipeline. Event loop only.
 */
final class ResyncGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncGate.class);

    /** Starts closed: whatever an earlier client left in the channel is stale. */
    private boolean syncing = true;
    /** The last thing read was a {@code 0xFF}: the next message is the sync's reply. */
    private boolean afterMarker;

    /** Closes the gate until the next delimited message. */
    void beginSync() {
        syncing = true;
        afterMarker = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == AgentFrameDecoder.SYNC_MARKER) {
            afterMarker = true;
            return;
        }
        boolean delimited = afterMarker;
        afterMarker = false;
        if (syncing && msg instanceof Frame frame) {
            if (!delimited || frame.message() == null) {
                LOG.debug("guest agent: discarding stale data while resynchronising: {}",
                        frame.message() != null ? "a message" : frame.error().getMessage());
                return;
            }
            syncing = false;
        }
        ctx.fireChannelRead(msg);
    }
}
