package org.qmp4j.core;

import org.qmp4j.qmp.QmpOptions;

/** The peer sent a message longer than the configured frame cap ({@link QmpOptions#maxFrameBytes()}). */
public class FrameTooLargeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int maxFrameBytes;

    public FrameTooLargeException(int maxFrameBytes) {
        super("peer sent a message longer than the frame cap of " + maxFrameBytes + " bytes");
        this.maxFrameBytes = maxFrameBytes;
    }

    /** A message too large for {@code maxFrameBytes}, said in the words of its context. */
    public FrameTooLargeException(String message, int maxFrameBytes) {
        super(message);
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The cap that was crossed. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }
}
