package org.qmp4j.qga;

import java.time.Duration;
import org.qmp4j.core.CommandTimeoutException;

/**
 * A program started by {@code guest-exec} did not exit within the request's timeout. It may still
 * run in the guest (the agent cannot kill it); {@link #pid()} names it there. A
 * {@link CommandTimeoutException} for the command {@code guest-exec}.
 */
public class ExecTimeoutException extends CommandTimeoutException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final long pid;

    /**
     * @param path the program that was run
     * @param pid its process id in the guest
     * @param timeout the request's timeout
     */
    public ExecTimeoutException(String path, long pid, Duration timeout) {
        super("guest-exec", timeout, "guest-exec: " + path + " (pid " + pid + " in the guest) did not exit within "
                + timeout.toMillis() + " ms; it may still run");
        this.path = path;
        this.pid = pid;
    }

    /** The program that was run. */
    public String path() {
        return path;
    }

    /** Its process id in the guest. */
    public long pid() {
        return pid;
    }
}
