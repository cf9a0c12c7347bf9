package org.qmp4j.snapshot;

import java.util.List;

/**
 * What {@link LiveSnapshots#recover} did: the actions it took (thawed, resumed, rolled back,
 * completed), nodes named like qmp4j's that no record names and no disk uses (reported; deleted
 * only when asked), and the problems it could not solve (an operator must look at those).
 *
 * @param actions          what was done, one line each
 * @param unrecordedNodes  {@code q4j-} nodes on no record and in no disk's chain
 * @param problems         what could not be made whole
 */
public record RecoveryReport(List<String> actions, List<String> unrecordedNodes, List<String> problems) {
    public RecoveryReport {
        actions = List.copyOf(actions);
        unrecordedNodes = List.copyOf(unrecordedNodes);
        problems = List.copyOf(problems);
    }

    /** Whether the VM is whole: no problem left and nothing of ours unaccounted for. */
    public boolean clean() {
        return problems.isEmpty() && unrecordedNodes.isEmpty();
    }
}
