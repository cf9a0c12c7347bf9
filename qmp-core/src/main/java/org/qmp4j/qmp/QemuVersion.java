package org.qmp4j.qmp;

/**
 * The QEMU version from the QMP greeting. Prefer {@link QmpSchema} over version checks to decide
 * whether a feature exists: distributions backport, and the schema is what the binary accepts.
 *
 * @param major major version
 * @param minor minor version
 * @param micro micro version
 * @param pkg the distribution's package string (may be empty)
 */
public record QemuVersion(int major, int minor, int micro, String pkg) implements Comparable<QemuVersion> {

    /** Whether this version is {@code major.minor} or newer. */
    public boolean atLeast(int major, int minor) {
        return this.major > major || this.major == major && this.minor >= minor;
    }

    @Override
    public int compareTo(QemuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro + (pkg == null || pkg.isBlank() ? "" : " (" + pkg.trim() + ")");
    }
}
