package org.qmp4j.core.transport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.qmp4j.core.FrameTooLargeException;
import org.qmp4j.core.JsonTrees;
import org.qmp4j.core.ProtocolException;

/**
 * Splits the byte stream into lines and each line into one JSON object ({@link Frame}).
 *
 * <p>QMP ends messages with {@code \r\n}, the guest agent with {@code \n}; both are accepted.
 * A line longer than the cap produces one error frame and is skipped up to its end, so the decoder
 * never holds more than the cap in memory.
 *
 * <p>A protocol may name one marker byte that can never occur inside JSON text (the guest agent's
 * {@code 0xFF}): it ends whatever partial line came before it, which is dropped, and the protocol's
 * subclass is told through {@link #markerSeen(List)} where in the stream it came.
 */
public class JsonLineDecoder extends ByteToMessageDecoder {
    private static final byte LF = '\n';
    private static final int NO_MARKER = -1;

    private final int maxFrameBytes;
    private final int marker;
    private final JsonFactory factory;
    /** Bytes after the reader index already known to hold no delimiter. */
    private int scanned;
    private boolean discarding;

    /** A decoder of JSON lines of at most {@code maxFrameBytes}, with no marker byte. */
    public JsonLineDecoder(int maxFrameBytes) {
        this(maxFrameBytes, NO_MARKER, Json.FACTORY);
    }

    /**
     * For a protocol with a marker byte ({@code 0..255}), reading with {@code factory} (whose
     * limits bound what one frame may make the parser build).
     */
    protected JsonLineDecoder(int maxFrameBytes, int markerByte, JsonFactory factory) {
        this.maxFrameBytes = maxFrameBytes;
        this.marker = markerByte;
        this.factory = factory;
    }

    /**
     * The marker byte arrived: add what should go up the pipeline in its place (in stream order
     * with the frames) to {@code out}. The partial line before it has been dropped.
     */
    protected void markerSeen(List<Object> out) {
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            byte markerByte = (byte) marker;
            int at = in.forEachByte(start + scanned, end - start - scanned,
                    marker != NO_MARKER ? b -> b != LF && b != markerByte : b -> b != LF);
            if (at < 0) {
                scanned = end - start;
                if (scanned > maxFrameBytes && !discarding) {
                    out.add(Frame.failed(new FrameTooLargeException(maxFrameBytes)));
                    discarding = true;
                }
                if (discarding) {
                    in.skipBytes(scanned);
                    scanned = 0;
                }
                return;
            }
            int length = at - start;
            scanned = 0;
            if (marker != NO_MARKER && in.getByte(at) == (byte) marker) {
                in.skipBytes(length + 1); // whatever came before the marker is stale
                discarding = false;
                markerSeen(out);
                continue;
            }
            if (discarding) {
                in.skipBytes(length + 1);
                discarding = false;
                continue;
            }
            if (length > maxFrameBytes) {
                in.skipBytes(length + 1);
                out.add(Frame.failed(new FrameTooLargeException(maxFrameBytes)));
                continue;
            }
            ByteBuf line = in.readSlice(length);
            in.skipBytes(1);
            if (isBlank(line)) {
                continue;
            }
            out.add(parse(line));
        }
    }

    private static String reason(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.toString();
    }

    private static boolean isBlank(ByteBuf line) {
        return line.forEachByte(b -> b == ' ' || b == '\r' || b == '\t') < 0;
    }

    private Frame parse(ByteBuf line) {
        try (InputStream stream = new ByteBufInputStream(line.duplicate());
             JsonParser parser = factory.createParser(stream)) {
            JsonNode node;
            try {
                node = JsonTrees.read(parser);
            } catch (StreamConstraintsException e) {
                long maxTokens = factory.streamReadConstraints().getMaxTokenCount();
                if (maxTokens > 0 && parser.currentTokenCount() > maxTokens) {
                    // valid perhaps, but more values than a tree of it may hold: like a frame over the cap
                    return Frame.failed(FrameTooLargeException.tooManyValues(maxTokens, maxFrameBytes));
                }
                return Frame.failed(new ProtocolException("peer sent JSON beyond the parser's limits (" + reason(e)
                        + "): " + Json.excerpt(line.toString(StandardCharsets.UTF_8), 200), e));
            }
            if (node == null || !node.isObject()) {
                return Frame.failed(new ProtocolException("peer sent JSON that is not an object: "
                        + Json.excerpt(line.toString(StandardCharsets.UTF_8), 200)));
            }
            if (parser.nextToken() != null) {
                return Frame.failed(new ProtocolException("peer sent trailing data after a JSON object: "
                        + Json.excerpt(line.toString(StandardCharsets.UTF_8), 200)));
            }
            return Frame.of((ObjectNode) node);
        } catch (IOException e) {
            return Frame.failed(new ProtocolException("peer sent invalid JSON (" + reason(e) + "): "
                    + Json.excerpt(line.toString(StandardCharsets.UTF_8), 200), e));
        }
    }
}
