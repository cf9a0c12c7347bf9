package org.qmp4j.examples.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the CLI writes them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or a plain
 * number of seconds. Fractions are allowed ({@code 1.5s}, {@code 0.5}).
 */
public final class Durations {
    /** How the usage text describes the format. */
    public static final String FORMAT_HELP = "500ms, 5s, 2m, 1h, or a plain number of seconds (0.5 = 500ms)";

    private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Parses a positive duration.
     *
     * @throws IllegalArgumentException if {@code text} is not one, or is zero
     */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (use " + FORMAT_HELP + ")");
        }
        long nanosPerUnit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.signum() == 0) {
            throw new IllegalArgumentException("must be more than zero");
        }
        try {
            return Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("too long", e);
        }
    }

    /** The shortest exact form {@link #parse} reads back: {@code 1h}, {@code 2m}, {@code 5s}, {@code 500ms}. */
    public static String format(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return new BigDecimal(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        }
        long millis = d.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = d.toSeconds();
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
