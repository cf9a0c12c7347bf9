package org.qmp4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks that the options builders of every qmp4j module share, so that each rule is
 * written once and reads the same in every error message.
 */
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
