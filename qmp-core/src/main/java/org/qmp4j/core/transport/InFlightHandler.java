package org.qmp4j.core.transport;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.RejectedExecutionException;
import org.qmp4j.core.ClientResources;
import org.qmp4j.core.CommandException;
import org.qmp4j.core.CommandTimeoutException;
import org.qmp4j.core.ConnectionClosedException;
import org.qmp4j.core.FdPassingException;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.core.InvalidArgumentsException;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;
import org.qmp4j.core.Qmp4jException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the commands in flight on one connection, for QMP and the guest agent alike: gives each
 * an id, encodes it, arms its deadline, and routes replies back by id. Replies with an unknown id
 * (a command that timed out) are dropped; id-less errors are logged, never matched; other
 * messages go to the protocol's {@link MessageListener}. A bad frame or EOF fails every pending
 * command at once. All state but the shared {@link InFlightRegistry} is confined to the channel's
 * event loop.
 */
public final class InFlightHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InFlightHandler.class);

    private final ClientResources resources;
    private final MessageListener listener;
    private final String peerName;
    private final boolean oversizedFailsOldest;
    private final LogBudget peerLogs = new LogBudget();
    private final InFlightRegistry inFlight;
    private ChannelHandlerContext ctx;
    private Throwable closeCause;
    private boolean closeWhenIdle;
    private boolean closeRequested;
    private boolean wasActive;
    /** The connection's one state; read by direct writers on other threads. */
    private final ConnectionStatus status;

    /**
     * @param resources whose timer runs the commands' deadlines
     * @param status the connection's state, moved to CLOSING when a close or a failure begins
     * @param listener receives non-reply messages and the close
     * @param peerName how logs and errors name the peer ("QMP", "guest agent")
     * @param firstId the first id to use; the agent starts at a random one so that a reply left
     *        over from an earlier client can never match
     * @param oversizedFailsOldest whether a frame over the cap fails only the command waiting
     *        longest (a peer that answers one at a time, in order) instead of the connection
     */
    public InFlightHandler(ClientResources resources, ConnectionStatus status, MessageListener listener,
                           String peerName, long firstId, boolean oversizedFailsOldest) {
        this.resources = resources;
        this.status = status;
        this.listener = listener;
        this.peerName = peerName;
        this.inFlight = new InFlightRegistry(firstId);
        this.oversizedFailsOldest = oversizedFailsOldest;
    }

    /** The waiting commands, shared with the commands a blocking caller writes itself. */
    InFlightRegistry registry() {
        return inFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Number of commands waiting for a reply; for tests and diagnostics. */
    int inFlightCount() {
        return inFlight.size();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof OutboundCommand command)) {
            ctx.write(msg, promise);
            return;
        }
        if (closeCause != null || closeWhenIdle || !ctx.channel().isActive()) {
            notePeerClose(); // closed underneath us, before Netty reported it
            command.fail(closedException("cannot send " + command.name()));
            promise.trySuccess();
            return;
        }
        long id = inFlight.register(command);
        ByteBuf bytes;
        try {
            bytes = encode(ctx.alloc(), command, id);
        } catch (IOException | RuntimeException e) {
            inFlight.remove(id);
            command.fail(new InvalidArgumentsException(command.name() + ": cannot encode arguments: " + e.getMessage(), e));
            promise.trySuccess();
            return;
        }
        try {
            command.timeoutTask(resources.schedule(() -> timeOut(command), command.timeout()));
        } catch (RejectedExecutionException e) { // the resources were closed under a live connection
            inFlight.remove(id);
            bytes.release();
            command.fail(new ConnectionClosedException(command.name() + ": the client's resources are closed", e));
            promise.trySuccess();
            return;
        }
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                inFlight.remove(id);
                command.fail(new ConnectionClosedException(command.name() + ": write to " + peerName + " failed",
                        f.cause()));
            }
        });
        if (command.fds() != null) {
            writeWithFds(ctx, command, bytes, promise);
        } else {
            ctx.write(bytes, promise);
        }
    }

    /** Sends the descriptors with this command's own bytes: flush what is queued first, attach, write. */
    private void writeWithFds(ChannelHandlerContext ctx, OutboundCommand command, ByteBuf bytes, ChannelPromise promise) {
        if (!(ctx.channel() instanceof FdPassingChannel fdChannel)) {
            bytes.release();
            inFlight.remove(command.id());
            command.fail(new FdPassingException(command.name() + ": file descriptors can only be passed over a UNIX socket", null));
            promise.trySuccess();
            return;
        }
        ctx.flush();
        try {
            fdChannel.setOutboundFileDescriptors(command.fds());
        } catch (IOException e) {
            bytes.release();
            inFlight.remove(command.id());
            command.fail(new FdPassingException(command.name() + ": cannot attach file descriptors: " + e.getMessage(), e));
            promise.trySuccess();
            return;
        }
        ctx.write(bytes, promise);
        ctx.flush();
    }

    /** The command's line: {@code {"execute":NAME,"arguments":…,"id":ID}} and a newline. */
    /** What follows an encoded command's head: its id field. */
    private static final byte[] ID_FIELD = ",\"id\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static ByteBuf encode(ByteBufAllocator alloc, OutboundCommand command, long id) throws IOException {
        EncodedCommand encoded = command.encoded();
        if (encoded != null) {
            byte[] head = encoded.head();
            ByteBuf buf = alloc.buffer(head.length + ID_FIELD.length + 22);
            buf.writeBytes(head).writeBytes(ID_FIELD);
            ByteBufUtil.writeAscii(buf, Long.toString(id));
            return buf.writeByte('}').writeByte('\n');
        }
        ByteBuf buf = alloc.buffer(64 + (command.arguments() == null ? 0 : 64));
        boolean ok = false;
        try (OutputStream out = new ByteBufOutputStream(buf);
             JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(command.oob() ? "exec-oob" : "execute", command.name());
            if (command.arguments() != null) {
                g.writeFieldName("arguments");
                JsonTrees.write(g, command.arguments());
            }
            g.writeNumberField("id", id);
            g.writeEndObject();
            ok = true;
        } finally {
            if (!ok) {
                buf.release();
            }
        }
        buf.writeByte('\n');
        return buf;
    }

    /**
     * The deadline passed: whoever removes the command first completes it. Armed from {@link #write},
     * so it runs on this channel's event loop, which owns the close state.
     */
    private void timeOut(OutboundCommand command) {
        if (inFlight.remove(command.id()) != null) {
            command.fail(new CommandTimeoutException(command.name(), command.timeout()));
            closeIfIdle();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (frame.error() != null) {
            if (oversizedFailsOldest && frame.error() instanceof FrameTooLargeException tooLarge) {
                failOldest(tooLarge);
                return;
            }
            fail(frame.error());
            return;
        }
        ObjectNode message = frame.message();
        if (message.has("return") || message.has("error")) {
            onReply(message);
        } else {
            listener.onMessage(message);
        }
    }

    /** A reply too large to read: it belongs to the command waiting longest, which alone fails. */
    private void failOldest(FrameTooLargeException tooLarge) {
        OutboundCommand oldest = inFlight.removeOldest();
        if (oldest == null) {
            String note = peerLogs.take();
            if (note != null) {
                LOG.warn("{} sent a message over {} while no command waited; dropped{}", peerName,
                        tooLarge.limit(), note);
            }
            return;
        }
        LOG.warn("{} replied to {} over {}: that command fails, the connection stays", peerName,
                oldest.name(), tooLarge.limit());
        oldest.fail(tooLarge.ofReplyTo(oldest.name()));
    }

    private void onReply(ObjectNode reply) {
        JsonNode idNode = reply.get("id");
        JsonNode error = reply.get("error");
        if (idNode == null) {
            String note = peerLogs.take();
            if (note != null && error != null) {
                LOG.warn("{} reported an error without an id (a message it could not parse): {}: {}{}", peerName,
                        Json.printable(error.path("class").asText("?"), 100),
                        Json.printable(error.path("desc").asText(""), 300), note);
            } else if (note != null) {
                LOG.debug("{} sent a reply without an id; dropped{}", peerName, note);
            }
            return;
        }
        OutboundCommand command = idNode.canConvertToExactIntegral() ? inFlight.remove(idNode.asLong()) : null;
        if (command == null) {
            if (LOG.isDebugEnabled()) {
                String note = peerLogs.take();
                if (note != null) {
                    LOG.debug("{} replied to unknown id {} (a command that timed out?); dropped{}", peerName,
                            Json.printable(idNode.toString(), 40), note);
                }
            }
            return;
        }
        if (error != null) {
            command.fail(new CommandException(command.name(), error.path("class").asText("GenericError"),
                    error.path("desc").asText("")));
        } else {
            command.succeed(reply.get("return"));
        }
        closeIfIdle();
    }

    /** Whether new commands may still be written: false once a close or a failure began. */
    boolean accepting() {
        return status.acceptsCommands();
    }

    /** Closes the connection because of a protocol error; every pending command fails with it. */
    public void fail(Throwable cause) {
        status.beginClosing();
        if (closeCause == null) {
            closeCause = cause;
            if (cause instanceof ProtocolException) {
                LOG.warn("closing {} connection: {}", peerName, cause.toString());
            } else {
                LOG.debug("closing {} connection: {}", peerName, cause.toString()); // a hang-up: expected
            }
        }
        ctx.close();
    }

    /** Graceful close: refuse new commands, close once the ones in flight are done. Event loop only. */
    public void closeWhenIdle() {
        status.beginClosing();
        closeRequested = true;
        closeWhenIdle = true;
        closeIfIdle();
    }

    /** Immediate close asked for by the client: pending commands fail now. Event loop only. */
    public void abort() {
        status.beginClosing();
        closeRequested = true;
        ctx.close();
    }

    /** Closes now if a graceful close waits for nothing else. Event loop only. */
    void closeIfIdle() {
        if (closeWhenIdle && inFlight.isEmpty()) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Qmp4jException) {
            fail(cause);
        } else if (isReset(cause)) {
            // A peer killed with our bytes unread resets the socket: to us it is the same hang-up.
            fail(new ConnectionClosedException(peerName + " closed the connection (EOF: connection reset)", cause));
        } else {
            fail(new ConnectionClosedException("I/O error: " + cause, cause));
        }
    }

    private static boolean isReset(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return cause instanceof java.net.SocketException && message.contains("reset")
                || cause.getClass().getSimpleName().contains("ConnectionReset");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        wasActive = true;
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        status.beginClosing();
        notePeerClose();
        failPending();
        ctx.fireChannelInactive();
    }

    /** A connection that ends without the client asking for it: the peer hung up. */
    private void notePeerClose() {
        if (closeCause == null && !closeRequested && wasActive) {
            closeCause = new ConnectionClosedException(peerName + " closed the connection (EOF)");
        }
    }

    /**
     * Fired for every registered channel once it is closed, also one that never connected: the
     * one place where the end of a connection is reported. The cause is {@code null} after a
     * close the client asked for.
     */
    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        // junixsocket's selector closes a socket that hung up underneath Netty, which then sees
        // it closed but never active and fires no channelInactive: the hang-up is known only here.
        notePeerClose();
        failPending();
        listener.onClosed(closeCause);
        ctx.fireChannelUnregistered();
    }

    private void failPending() {
        for (OutboundCommand command : inFlight.drain()) {
            command.fail(closedException(command.name() + ": no reply"));
        }
    }

    private ConnectionClosedException closedException(String what) {
        Throwable cause = closeCause;
        if (cause == null) {
            return new ConnectionClosedException(what + ": connection closed");
        }
        String why = cause instanceof ProtocolException ? "connection closed after a protocol error: " : "";
        return new ConnectionClosedException(what + ": " + why + cause.getMessage(), cause);
    }
}
