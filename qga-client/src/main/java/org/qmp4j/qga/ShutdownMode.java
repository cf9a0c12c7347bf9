package org.qmp4j.qga;

/** How {@code guest-shutdown} stops the guest. */
public enum ShutdownMode {
    /** Power off. */
    POWERDOWN("powerdown"),
    /** Reboot. */
    REBOOT("reboot"),
    /** Halt without powering off. */
    HALT("halt");

    private final String wire;

    ShutdownMode(String wire) {
        this.wire = wire;
    }

    /** The agent's name for it. */
    public String wire() {
        return wire;
    }
}
