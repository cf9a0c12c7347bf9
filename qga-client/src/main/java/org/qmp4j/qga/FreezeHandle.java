package org.qmp4j.qga;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A frozen guest. {@link #close()} thaws it and confirms with {@code guest-fsfreeze-status}; a
 * watchdog thaws it anyway when the maximum freeze duration (counted from the freeze's reply)
 * passes, even if the caller hangs.
 * Use it in try-with-resources so the guest is thawed on every path.
 */
public interface FreezeHandle extends AutoCloseable {

    /** Number of file systems the agent froze. */
    int frozenFilesystems();

    /** When the freeze command was sent. */
    Instant frozenAt();

    /**
     * How long the guest was (possibly) frozen, host side: from sending the freeze to the
     * confirmed thaw; while still frozen, the time so far.
     */
    Duration frozenFor();

    /** Whether the guest was confirmed thawed. */
    boolean isThawed();

    /** Whether the watchdog thawed it because the maximum duration passed. */
    boolean thawedByWatchdog();

    /**
     * Starts the thaw now, without waiting: the one thaw that {@link #close()} and the watchdog
     * share. Never blocks, so it may be chained to another command's reply and run on the I/O
     * thread the moment that reply is in. Completes once {@code guest-fsfreeze-status} confirms
     * the thaw; fails with {@link ThawFailedException} if it could not be confirmed.
     */
    CompletableFuture<Void> thawAsync();

    /**
     * Thaws now (or returns at once if already thawed) and confirms the status.
     *
     * @throws ThawFailedException if the guest could not be confirmed thawed: it may still be frozen
     */
    @Override
    void close();
}
