package org.qmp4j.snapshot;

import java.util.List;
import org.qmp4j.core.Qmp4jException;

/**
 * A snapshot failed. The VM keeps writing to its original images. Says at which step it failed,
 * what was undone, and what could not be undone (an operator must clean that up).
 */
public class SnapshotFailedException extends Qmp4jException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final List<String> undone;
    private final List<String> notUndone;

    public SnapshotFailedException(String step, String message, Throwable cause, List<String> undone,
                                   List<String> notUndone) {
        super(compose(step, message, undone, notUndone), cause);
        this.step = step;
        this.undone = List.copyOf(undone);
        this.notUndone = List.copyOf(notUndone);
    }

    private static String compose(String step, String message, List<String> undone, List<String> notUndone) {
        StringBuilder b = new StringBuilder("snapshot failed at ").append(step).append(": ").append(message);
        if (!undone.isEmpty()) {
            b.append("; undone: ").append(String.join(", ", undone));
        }
        if (!notUndone.isEmpty()) {
            b.append("; COULD NOT UNDO: ").append(String.join(", ", notUndone));
        }
        return b.toString();
    }

    /** The step that failed, e.g. {@code preflight}, {@code create overlays}, {@code transaction}. */
    public String step() {
        return step;
    }

    /** What was created and then removed again. */
    public List<String> undone() {
        return undone;
    }

    /** What is left behind or in doubt (empty when everything was undone). */
    public List<String> notUndone() {
        return notUndone;
    }

    /** Whether everything was undone. */
    public boolean fullyUndone() {
        return notUndone.isEmpty();
    }
}
