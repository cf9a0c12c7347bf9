package org.qmp4j.examples.cli;

import java.io.PrintStream;
import java.util.function.Consumer;
import org.qmp4j.snapshot.MergeProgress;

/**
 * Shows a merge's progress on stderr as {@code merging DISK: 42% (running)}: one line per change
 * when stderr is a file or pipe, one line rewritten in place ({@code \r}) on a terminal. Only
 * changes are shown, and not the job's dismissal. Called on the thread running the merge or an
 * event thread; {@link #finish()} ends the display, and anything that arrives after it is ignored.
 */
final class MergeProgressPrinter implements Consumer<MergeProgress> {
    /** QEMU's job status once the job is dismissed ({@code JobStatus} "null"). */
    private static final String DISMISSED = "null";

    private final PrintStream err;
    private final String disk;
    private final boolean terminal;
    private String last;
    private int lastWidth;
    private boolean finished;

    /**
     * @param err where to write
     * @param disk the disk's name, as the user gave it
     * @param terminal whether {@code err} is a terminal (rewrite one line instead of adding lines)
     */
    MergeProgressPrinter(PrintStream err, String disk, boolean terminal) {
        this.err = err;
        this.disk = disk;
        this.terminal = terminal;
    }

    @Override
    public synchronized void accept(MergeProgress progress) {
        if (progress.status() == null || progress.status().equals(DISMISSED)) {
            return; // the job is gone: the result follows, nothing to show
        }
        String text = "merging " + disk + ": " + progress.percent() + "% (" + progress.status() + ")";
        if (finished || text.equals(last)) {
            return;
        }
        if (terminal) {
            // Blank out what is left of a longer previous line.
            err.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())));
        } else {
            err.println(text);
        }
        err.flush();
        last = text;
        lastWidth = text.length();
    }

    /** Ends the display (on a terminal, ends the line); later progress is not shown. */
    synchronized void finish() {
        if (!finished && terminal && last != null) {
            err.println();
            err.flush();
        }
        finished = true;
    }
}
