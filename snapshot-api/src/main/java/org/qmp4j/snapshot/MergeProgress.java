package org.qmp4j.snapshot;

/**
 * Progress of a merge (a {@code block-commit} job).
 *
 * @param jobId the job
 * @param status the job's status, e.g. {@code running}, {@code ready}, {@code concluded}
 * @param current bytes done so far
 * @param total bytes to do (may grow while the guest writes)
 */
public record MergeProgress(String jobId, String status, long current, long total) {
    /** Percent done, 0..100. */
    public int percent() {
        return total <= 0 ? 0 : (int) Math.min(100, current * 100 / total);
    }
}
