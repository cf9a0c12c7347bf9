package org.qmp4j.snapshot;

/** How a group snapshot freezes its guests, and thaws them again. */
public enum FreezeOrder {
    /** Every guest is frozen at the same time, and thawed at the same time. */
    PARALLEL,
    /**
     * One guest after the other, in the order the VMs were given (each freeze confirmed before
     * the next is sent), and thawed in the reverse order: for applications whose tiers must be
     * quiesced front to back, as OpenStack's consistency groups ask. Each guest's maximum freeze
     * counts from its own freeze: the first one waits for all the others' freezes.
     */
    IN_ORDER
}
