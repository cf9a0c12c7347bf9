package org.qmp4j.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a peer's messages may put in the host's log: few lines, bounded and escaped. */
class LogBudgetTest {
    @Test
    void aFloodGetsItsLinesPerWindowAndThenOneThatCountsTheRest() {
        AtomicLong now = new AtomicLong();
        LogBudget budget = new LogBudget(now::get);
        for (int i = 0; i < LogBudget.LINES; i++) {
            assertThat(budget.take()).isEmpty();
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(budget.take()).isNull();
        }
        now.addAndGet(LogBudget.WINDOW_SECONDS * 1_000_000_000L);
        assertThat(budget.take()).contains("1000 similar lines about this peer left out");
        assertThat(budget.take()).isEmpty();
    }

    @Test
    void printableEscapesWhatCouldForgeOrHideALogLineAndBoundsIt() {
        String hostile = "ok\nFAKE LOG LINE\r\u001b[31mred\u202eevil\u0000";
        String shown = Json.printable(hostile, 1000);
        assertThat(shown).doesNotContain("\n", "\r", "\u001b", "\u202e", "\u0000")
                .contains("\\u000a", "\\u000d", "\\u001b", "\\u202e", "\\u0000").startsWith("ok");
        assertThat(Json.printable("x".repeat(10_000), 200)).hasSizeLessThan(250).endsWith("(10000 chars)");
    }
}
