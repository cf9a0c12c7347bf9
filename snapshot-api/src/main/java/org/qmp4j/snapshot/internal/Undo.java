package org.qmp4j.snapshot.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of what a snapshot created, undone in reverse order when it fails. Each entry knows how
 * to undo itself and how to describe it; what cannot be undone is reported, not hidden.
 */
final class Undo {
    private static final Logger LOG = LoggerFactory.getLogger(Undo.class);

    /** One thing to undo. */
    interface Step {
        /** A human description, e.g. "node q4j-1a2b3c4d". */
        String what();

        /** Undoes it; throws if it could not. */
        void undo() throws Exception;

        /** The undo action alone. */
        @FunctionalInterface
        interface Action {
            void run() throws Exception;
        }
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<String> undone = new ArrayList<>();
    private final List<String> notUndone = new ArrayList<>();

    void push(String what, Step.Action action) {
        steps.push(new Step() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public void undo() throws Exception {
                action.run();
            }
        });
    }

    /** Something that cannot be undone automatically: reported as left behind. */
    void leftBehind(String what) {
        notUndone.add(what);
    }

    /** Forgets everything: the snapshot succeeded and what was created is now in use. */
    void commit() {
        steps.clear();
    }

    /** Undoes everything, newest first; never throws. */
    void run() {
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            try {
                step.undo();
                undone.add(step.what());
            } catch (Exception e) {
                LOG.error("could not undo {}: {}", step.what(), e.toString());
                notUndone.add(step.what() + " (" + e.getMessage() + ")");
            }
        }
    }

    List<String> undone() {
        return undone;
    }

    List<String> notUndone() {
        return notUndone;
    }
}
