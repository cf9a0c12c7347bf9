package org.qmp4j.snapshot.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random hex suffixes for the node names, job ids and fd names an operation gives QEMU: unlikely
 * to meet another tool's. Not {@code String.format}: its first use costs a CLI milliseconds.
 */
final class RandomIds {
    private static final String ZEROS = "0000000000000000";

    private RandomIds() {
    }

    /** 8 random hex digits. */
    static String hex8() {
        return padded(Integer.toHexString(ThreadLocalRandom.current().nextInt()), 8);
    }

    /** 16 random hex digits. */
    static String hex16() {
        return padded(Long.toHexString(ThreadLocalRandom.current().nextLong()), 16);
    }

    private static String padded(String hex, int digits) {
        return ZEROS.substring(0, digits - hex.length()) + hex;
    }
}
