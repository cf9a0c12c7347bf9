package org.qmp4j.qmp.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks the options builders share. */
public final class Checks {
    private Checks() {
    }

    /** {@code d}, if it is a positive duration; otherwise an exception naming {@code what}. */
    public static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }
}
