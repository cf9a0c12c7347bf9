package org.qmp4j.snapshot;

import java.time.Duration;
import org.qmp4j.core.CommandTimeoutException;

/**
 * A QEMU block job did not conclude within its deadline; it has been cancelled and dismissed. A
 * {@link CommandTimeoutException}: the deadline belongs to the command that started the job.
 */
public class JobTimeoutException extends CommandTimeoutException {
    private static final long serialVersionUID = 1L;

    private final String jobId;

    /**
     * @param command the command that started the job
     * @param jobId the job's id
     * @param timeout the deadline that passed
     */
    public JobTimeoutException(String command, String jobId, Duration timeout) {
        super(command, timeout, command + ": job " + jobId + " did not finish within " + timeout.toMillis()
                + " ms; cancelled");
        this.jobId = jobId;
    }

    /** The job's id. */
    public String jobId() {
        return jobId;
    }
}
