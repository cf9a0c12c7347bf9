package org.qmp4j.qmp;

import org.qmp4j.core.Qmp4jException;

/** A subscription with {@link OverflowPolicy#FAIL} fell behind and its queue overflowed. */
public class EventOverflowException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    public EventOverflowException(int capacity) {
        super("event queue overflowed (capacity " + capacity + "): the subscriber fell behind");
    }
}
