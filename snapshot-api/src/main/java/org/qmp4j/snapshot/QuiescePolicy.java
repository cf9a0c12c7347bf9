package org.qmp4j.snapshot;

/** Whether a live snapshot freezes the guest's file systems through the agent. */
public enum QuiescePolicy {
    /** Quiesce or fail before anything is created (no agent, a paused VM, no freeze support: fail). */
    REQUIRED,
    /** Quiesce when an agent can; otherwise go on crash-consistent and say why in the result. */
    PREFERRED,
    /** Never quiesce: a crash-consistent snapshot. */
    OFF
}
