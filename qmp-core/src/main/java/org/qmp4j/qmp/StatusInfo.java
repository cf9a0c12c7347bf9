package org.qmp4j.qmp;

/**
 * Result of {@code query-status}.
 *
 * @param running whether guest CPUs run
 * @param status the run state (e.g. {@code running}, {@code paused}, {@code prelaunch}); a
 *        string, since new QEMU versions add states
 */
public record StatusInfo(boolean running, String status) {
}
