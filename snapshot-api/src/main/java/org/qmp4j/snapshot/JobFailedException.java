package org.qmp4j.snapshot;

import org.qmp4j.core.Qmp4jException;

/**
 * A QEMU block job (e.g. the {@code blockdev-create} of an overlay) concluded with an error. The
 * job has been dismissed; {@link #error()} is QEMU's own text from {@code query-jobs}.
 */
public class JobFailedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    private final String jobId;
    private final String command;
    private final String error;

    /**
     * @param command the command that started the job
     * @param jobId the job's id
     * @param error QEMU's error text for the job
     */
    public JobFailedException(String command, String jobId, String error) {
        super(command + ": job " + jobId + " failed: " + error);
        this.jobId = jobId;
        this.command = command;
        this.error = error;
    }

    /** The job's id. */
    public String jobId() {
        return jobId;
    }

    /** The command that started the job. */
    public String command() {
        return command;
    }

    /** QEMU's error text for the job. */
    public String error() {
        return error;
    }
}
