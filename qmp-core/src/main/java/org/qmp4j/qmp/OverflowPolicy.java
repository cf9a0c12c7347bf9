package org.qmp4j.qmp;

/** What a subscription does when its bounded queue is full and another event arrives. */
public enum OverflowPolicy {
    /** Drop the oldest queued event to make room (the default: keeps the latest state). */
    DROP_OLDEST,
    /** Drop the new event. */
    DROP_NEWEST,
    /** End the subscription with an {@link EventOverflowException}. */
    FAIL
}
