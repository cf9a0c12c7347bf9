package org.qmp4j.core;

import org.qmp4j.qmp.QmpOptions;

/** The peer sent a message longer than the configured frame cap ({@link QmpOptions#maxFrameBytes()}). */
public class FrameTooLargeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int maxFrameBytes;
    private final String limit;

    public FrameTooLargeException(int maxFrameBytes) {
        this("peer sent a message longer than the frame cap of " + maxFrameBytes + " bytes", maxFrameBytes);
    }

    /** A message too large for {@code maxFrameBytes}, said in the words of its context. */
    public FrameTooLargeException(String message, int maxFrameBytes) {
        this(message, maxFrameBytes, "the " + maxFrameBytes + " byte cap of this connection (maxFrameBytes)");
    }

    private FrameTooLargeException(String message, int maxFrameBytes, String limit) {
        super(message);
        this.maxFrameBytes = maxFrameBytes;
        this.limit = limit;
    }

    /**
     * A message within the byte cap but with more JSON values than {@code maxValues}: reading it
     * into a tree could take far more memory than its bytes.
     */
    public static FrameTooLargeException tooManyValues(long maxValues, int maxFrameBytes) {
        return new FrameTooLargeException("peer sent a message of more than " + maxValues + " JSON values",
                maxFrameBytes, "the cap of " + maxValues + " JSON values per message");
    }

    /** The same limit crossed by the reply to {@code command}: "COMMAND: the reply is over LIMIT". */
    public FrameTooLargeException ofReplyTo(String command) {
        return new FrameTooLargeException(command + ": the reply is over " + limit, maxFrameBytes, limit);
    }

    /** The limit that was crossed, in words: "the 10485760 byte cap of this connection (maxFrameBytes)". */
    public String limit() {
        return limit;
    }

    /** The cap that was crossed. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }
}
