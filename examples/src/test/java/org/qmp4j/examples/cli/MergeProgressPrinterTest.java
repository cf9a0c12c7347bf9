package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.qmp4j.snapshot.MergeProgress;

class MergeProgressPrinterTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static MergeProgress progress(String status, long current, long total) {
        return new MergeProgress("q4j-merge", status, current, total);
    }

    @Test
    void oneLinePerChangeWhenNotATerminal() {
        MergeProgressPrinter printer = new MergeProgressPrinter(err, "vd0", false);
        printer.accept(progress("running", 0, 0));
        printer.accept(progress("running", 10, 100));
        printer.accept(progress("running", 10, 100)); // no change: not repeated
        printer.accept(progress("ready", 100, 100));
        printer.accept(progress("concluded", 100, 100));
        printer.accept(progress("null", 100, 100)); // QEMU's status of a dismissed job: not shown
        printer.accept(progress(null, 100, 100));
        printer.finish();
        printer.accept(progress("running", 50, 100)); // after the end: not shown

        assertThat(printed()).isEqualTo("""
                merging vd0: 0% (running)
                merging vd0: 10% (running)
                merging vd0: 100% (ready)
                merging vd0: 100% (concluded)
                """);
    }

    @Test
    void oneLineRewrittenInPlaceOnATerminal() {
        MergeProgressPrinter printer = new MergeProgressPrinter(err, "vd0", true);
        printer.accept(progress("running", 42, 100));
        printer.accept(progress("ready", 100, 100));
        printer.accept(progress("pending", 100, 100));
        printer.finish();
        printer.finish();

        assertThat(printed()).isEqualTo("\rmerging vd0: 42% (running)"
                + "\rmerging vd0: 100% (ready) " // blanks the longer line before
                + "\rmerging vd0: 100% (pending)\n");
    }

    @Test
    void nothingShownEndsWithNothing() {
        new MergeProgressPrinter(err, "vd0", true).finish();

        assertThat(printed()).isEmpty();
    }
}
