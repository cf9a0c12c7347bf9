package org.qmp4j.snapshot.internal;

/**
 * Runs clean-up to the end even when the thread was interrupted: an interrupt (a Ctrl-C in the
 * CLI, a cancelled task) stops an operation at its next wait, and what it made must then still be
 * undone, with waits of its own. The interrupt flag is cleared for that time and set again after.
 */
final class Uninterrupted {
    private Uninterrupted() {
    }

    static void run(Runnable cleanUp) {
        boolean interrupted = Thread.interrupted();
        try {
            cleanUp.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
