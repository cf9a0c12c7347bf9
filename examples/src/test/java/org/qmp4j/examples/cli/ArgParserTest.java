package org.qmp4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {
    private static ArgParser parser() {
        return new ArgParser("qmp4j test", "Does a test.")
                .requiredOption("--socket", "PATH", "the socket")
                .option("--timeout", "DURATION", "how long")
                .repeatedOption("--name", "EVENT", "an event")
                .flag("--verbose", "talk more")
                .positional("COMMAND", "what to run")
                .optionalPositional("ARGS", "its arguments");
    }

    private static ArgParser.Parsed parse(String... args) {
        return parser().parse(List.of(args));
    }

    @Test
    void readsOptionsWithSpaceOrEqualsAndPositionalsInAnyOrder() {
        ArgParser.Parsed p = parse("query-status", "--socket", "/s", "--timeout=2s", "{}");

        assertThat(p.value("--socket")).contains("/s");
        assertThat(p.value("--timeout")).contains("2s");
        assertThat(p.argument("COMMAND")).contains("query-status");
        assertThat(p.argument("ARGS")).contains("{}");
        assertThat(p.flag("--verbose")).isFalse();
        assertThat(p.helpRequested()).isFalse();
    }

    @Test
    void optionalThingsMayBeLeftOut() {
        ArgParser.Parsed p = parse("--socket", "/s", "cmd");

        assertThat(p.value("--timeout")).isEmpty();
        assertThat(p.values("--name")).isEmpty();
        assertThat(p.argument("ARGS")).isEmpty();
    }

    @Test
    void repeatedOptionKeepsEveryValueInOrder() {
        ArgParser.Parsed p = parse("--socket", "/s", "--name", "STOP", "--name=RESUME", "cmd", "--name", "X");

        assertThat(p.values("--name")).containsExactly("STOP", "RESUME", "X");
    }

    @Test
    void flagIsSeen() {
        assertThat(parse("--verbose", "--socket", "/s", "cmd").flag("--verbose")).isTrue();
    }

    @Test
    void valueMayLookLikeAnOptionOrBeEmpty() {
        ArgParser.Parsed p = parse("--socket", "--weird", "--timeout=", "cmd");

        assertThat(p.value("--socket")).contains("--weird");
        assertThat(p.value("--timeout")).contains("");
    }

    @Test
    void doubleDashEndsOptions() {
        ArgParser.Parsed p = parse("--socket", "/s", "--", "--verbose", "-x");

        assertThat(p.flag("--verbose")).isFalse();
        assertThat(p.argument("COMMAND")).contains("--verbose");
        assertThat(p.argument("ARGS")).contains("-x");
    }

    @Test
    void helpWinsOverEveryOtherProblem() {
        assertThat(parse("--bogus", "-h").helpRequested()).isTrue();
        assertThat(parse("--help").helpRequested()).isTrue();
        assertThat(parse("--socket", "/s", "--", "--help").helpRequested()).isFalse();
    }

    @Test
    void rejectsUnknownOption() {
        assertThatThrownBy(() -> parse("--socket", "/s", "--sokcet", "x", "cmd"))
                .isInstanceOf(UsageException.class).hasMessage("unknown option --sokcet");
        assertThatThrownBy(() -> parse("--socket", "/s", "-v", "cmd"))
                .isInstanceOf(UsageException.class).hasMessage("unknown option -v");
    }

    @Test
    void rejectsMissingRequiredOption() {
        assertThatThrownBy(() -> parse("cmd")).isInstanceOf(UsageException.class).hasMessage("missing --socket PATH");
    }

    @Test
    void rejectsOptionWithoutValue() {
        assertThatThrownBy(() -> parse("cmd", "--socket"))
                .isInstanceOf(UsageException.class).hasMessage("--socket needs a value PATH");
    }

    @Test
    void rejectsSingleOptionGivenTwice() {
        assertThatThrownBy(() -> parse("--socket", "/a", "--socket", "/b", "cmd"))
                .isInstanceOf(UsageException.class).hasMessage("--socket given more than once");
    }

    @Test
    void rejectsValueOnFlag() {
        assertThatThrownBy(() -> parse("--socket", "/s", "--verbose=yes", "cmd"))
                .isInstanceOf(UsageException.class).hasMessage("--verbose takes no value");
    }

    @Test
    void rejectsMissingAndExtraPositionals() {
        assertThatThrownBy(() -> parse("--socket", "/s"))
                .isInstanceOf(UsageException.class).hasMessage("missing COMMAND");
        assertThatThrownBy(() -> parse("--socket", "/s", "a", "b", "c"))
                .isInstanceOf(UsageException.class).hasMessage("unexpected argument 'c'");
    }

    @Test
    void converterFailureBecomesUsageErrorNamingTheOption() {
        ArgParser.Parsed p = parse("--socket", "/s", "--timeout", "soon", "cmd");

        assertThatThrownBy(() -> p.value("--timeout", Durations::parse))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid --timeout 'soon': not a duration");
        assertThat(parse("--socket", "/s", "cmd", "12").argument("ARGS", Integer::parseInt)).contains(12);
    }

    @Test
    void askingForSomethingNotDeclaredIsAProgrammingError() {
        ArgParser.Parsed p = parse("--socket", "/s", "cmd");

        assertThatThrownBy(() -> p.value("--nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.argument("NOPE")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBadDeclarations() {
        assertThatThrownBy(() -> new ArgParser("x", "y").option("-t", "V", "h"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArgParser("x", "y").flag("--help", "h"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArgParser("x", "y").flag("--a", "h").option("--a", "V", "h"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArgParser("x", "y").optionalPositional("A", "h").positional("B", "h"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void usageRendersTheDeclarations() {
        ArgParser parser = parser();

        assertThat(parser.synopsis()).isEqualTo(
                "qmp4j test --socket PATH [--timeout DURATION] [--name EVENT]... [--verbose] COMMAND [ARGS]");
        assertThat(parser.usage()).startsWith("Usage: " + parser.synopsis() + "\n\nDoes a test.\n")
                .contains("\n  --socket PATH        the socket\n")
                .contains("\n  --name EVENT         an event (repeatable)\n")
                .contains("\n  -h, --help           show this help\n")
                .contains("\nArguments:\n  COMMAND              what to run\n")
                .endsWith("\n");
    }

    @Test
    void exactlyOneOfTwoOptionsWhenTheyAreEitherOr() {
        ArgParser either = new ArgParser("qmp4j test", "Does a test.")
                .option("--qmp", "PATH", "one VM")
                .repeatedOption("--vm", "SPEC", "one of several VMs")
                .flag("--json", "as JSON")
                .eitherOr("--qmp", "--vm");

        assertThat(either.synopsis()).isEqualTo("qmp4j test (--qmp PATH | --vm SPEC...) [--json]");
        assertThat(either.parse(List.of("--qmp", "/s")).value("--qmp")).contains("/s");
        assertThat(either.parse(List.of("--vm", "a", "--vm", "b")).values("--vm")).containsExactly("a", "b");
        assertThatThrownBy(() -> either.parse(List.of("--json"))).isInstanceOf(UsageException.class)
                .hasMessage("missing --qmp PATH (or --vm SPEC)");
        assertThatThrownBy(() -> either.parse(List.of("--qmp", "/s", "--vm", "a")))
                .isInstanceOf(UsageException.class).hasMessage("--qmp and --vm exclude each other");
        assertThatThrownBy(() -> new ArgParser("t", "d").requiredOption("--a", "A", "a").option("--b", "B", "b")
                .eitherOr("--a", "--b")).isInstanceOf(IllegalArgumentException.class);
    }
}
