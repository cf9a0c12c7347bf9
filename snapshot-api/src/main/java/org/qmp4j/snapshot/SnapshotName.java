package org.qmp4j.snapshot;

import java.util.regex.Pattern;

/**
 * The one rule for snapshot names, which become parts of file names ({@code <stem>.<name>.qcow2}):
 * up to 64 letters, digits, {@code .}, {@code _} and {@code -}, not starting with a dot, and no
 * {@code ..} anywhere. Live snapshots, offline snapshots and the CLI all check names here.
 */
public final class SnapshotName {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    /** The rule in words, for error messages. */
    public static final String RULE = "use up to 64 letters, digits, '.', '_', '-', not starting with '.', no '..'";

    private SnapshotName() {
    }

    /** Whether {@code name} follows the rule. */
    public static boolean isValid(String name) {
        return name != null && ALLOWED.matcher(name).matches() && !name.contains("..");
    }

    /**
     * {@code name}, if it follows the rule.
     *
     * @throws IllegalArgumentException naming the snapshot and the rule, if it does not
     */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("snapshot name '" + name + "' is not safe in a file name: " + RULE);
        }
        return name;
    }
}
