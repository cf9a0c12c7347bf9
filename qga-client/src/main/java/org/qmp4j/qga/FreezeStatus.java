package org.qmp4j.qga;

/** Result of {@code guest-fsfreeze-status}. */
public enum FreezeStatus {
    /** File systems are thawed. */
    THAWED,
    /** File systems are frozen. */
    FROZEN,
    /** A value this library does not know (a newer agent). */
    UNKNOWN;

    /** Parses the agent's string. */
    public static FreezeStatus of(String value) {
        return switch (value) {
            case "thawed" -> THAWED;
            case "frozen" -> FROZEN;
            default -> UNKNOWN;
        };
    }
}
