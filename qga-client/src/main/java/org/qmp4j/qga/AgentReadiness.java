package org.qmp4j.qga;

import java.util.List;
import java.util.Objects;

/**
 * What a presence check found, before anything changes: whether an agent answers, and which of
 * the commands the caller needs it will refuse, each named with why ("guest-fsfreeze-freeze is
 * disabled in this guest's agent", by its allow or block list, or "... is unknown to this
 * guest's agent").
 *
 * @param present whether an agent answered the resynchronisation in time
 * @param unavailable the needed commands it refuses, with why; empty when absent (not asked)
 */
public record AgentReadiness(boolean present, List<String> unavailable) {
    /** The commands a quiesced snapshot of every file system needs. */
    public static final List<String> FREEZE_COMMANDS = List.of("guest-fsfreeze-status", "guest-fsfreeze-freeze",
            "guest-fsfreeze-thaw");

    public AgentReadiness {
        unavailable = List.copyOf(Objects.requireNonNull(unavailable, "unavailable"));
    }

    /** Whether the agent answers and can run every needed command. */
    public boolean ready() {
        return present && unavailable.isEmpty();
    }

    /** Why it is not ready ({@code null} when it is), for a message. */
    public String obstacle() {
        if (!present) {
            return "the guest agent does not answer";
        }
        return unavailable.isEmpty() ? null : String.join(", ", unavailable);
    }
}
