package org.qmp4j.qga.internal;

import java.util.List;
import org.qmp4j.core.transport.Json;
import org.qmp4j.core.transport.JsonLineDecoder;

/**
 * The agent's framing: JSON lines, where a {@code 0xFF} byte (the agent's delimiter before its
 * reply to {@code guest-sync-delimited}) drops any partial line before it and goes up the pipeline
 * as {@link #SYNC_MARKER}, in order with the frames, for the {@link ResyncGate}. Frames are read
 * with {@link Json#GUEST_FACTORY}: a guest's message may not hold more than
 * {@link Json#GUEST_MAX_TOKENS} values.
 */
final class AgentFrameDecoder extends JsonLineDecoder {
    /** Where the {@code 0xFF} byte came in the stream. */
    static final Object SYNC_MARKER = new Object() {
        @Override
        public String toString() {
            return "0xFF";
        }
    };
    private static final int RESYNC_BYTE = 0xFF;

    AgentFrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes, RESYNC_BYTE, Json.GUEST_FACTORY);
    }

    @Override
    protected void markerSeen(List<Object> out) {
        out.add(SYNC_MARKER);
    }
}
