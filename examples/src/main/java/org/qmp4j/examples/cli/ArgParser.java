package org.qmp4j.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The arguments of one subcommand: declare its options and positional arguments, then
 * {@link #parse} a command line. The same declarations render the usage text, so help and parsing
 * cannot disagree.
 *
 * <p>GNU style: options and arguments may be mixed; {@code --name value} and {@code --name=value}
 * both work; {@code --} ends the options; {@code -h} and {@code --help} are always understood.
 * Option values are strings here; typed access goes through a converter whose
 * {@link IllegalArgumentException} becomes a {@link UsageException} naming the option.
 */
public final class ArgParser {
    private static final String HELP_LONG = "--help";
    private static final String HELP_SHORT = "-h";

    private enum Kind { FLAG, SINGLE, REPEATED }

    private record Option(String name, String valueName, String help, Kind kind, boolean required) {
        String synopsis() {
            String s = kind == Kind.FLAG ? name : name + " " + valueName;
            return required ? s : "[" + s + "]" + (kind == Kind.REPEATED ? "..." : "");
        }

        String column() {
            return kind == Kind.FLAG ? name : name + " " + valueName;
        }
    }

    private record Positional(String name, String help, boolean required) {
    }

    private final String command;
    private final String description;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<Positional> positionals = new ArrayList<>();
    /** Pairs of options of which exactly one must be given: first to second, in declaration order. */
    private final Map<String, String> eitherOr = new LinkedHashMap<>();

    /**
     * @param command how the subcommand is invoked, e.g. {@code qmp4j qmp}
     * @param description what it does, for the usage text
     */
    public ArgParser(String command, String description) {
        this.command = command;
        this.description = description;
    }

    /** A flag without a value, e.g. {@code --verbose}. */
    public ArgParser flag(String name, String help) {
        return add(new Option(name, null, help, Kind.FLAG, false));
    }

    /** An optional option that takes one value and may be given once. */
    public ArgParser option(String name, String valueName, String help) {
        return add(new Option(name, valueName, help, Kind.SINGLE, false));
    }

    /** An option that takes one value and must be given exactly once. */
    public ArgParser requiredOption(String name, String valueName, String help) {
        return add(new Option(name, valueName, help, Kind.SINGLE, true));
    }

    /** An optional option that may be given several times; its values keep their order. */
    public ArgParser repeatedOption(String name, String valueName, String help) {
        return add(new Option(name, valueName, help, Kind.REPEATED, false));
    }

    /** A positional argument that must be given. Declare these before the optional ones. */
    public ArgParser positional(String name, String help) {
        if (positionals.stream().anyMatch(p -> !p.required())) {
            throw new IllegalStateException("required argument " + name + " after an optional one");
        }
        positionals.add(new Positional(name, help, true));
        return this;
    }

    /** A positional argument that may be left out. */
    public ArgParser optionalPositional(String name, String help) {
        positionals.add(new Positional(name, help, false));
        return this;
    }

    /**
     * Two already declared options of which exactly one must be given, e.g. one VM's
     * {@code --qmp PATH} or a group's repeated {@code --vm}: shown as {@code (--qmp PATH | --vm
     * SPEC...)} at the first one's place.
     */
    public ArgParser eitherOr(String first, String second) {
        if (!options.containsKey(first) || !options.containsKey(second) || options.get(first).required()
                || options.get(second).required()) {
            throw new IllegalArgumentException("declare " + first + " and " + second + " as optional first");
        }
        eitherOr.put(first, second);
        return this;
    }

    private ArgParser add(Option option) {
        if (!option.name().startsWith("--") || option.name().length() < 3 || option.name().equals(HELP_LONG)) {
            throw new IllegalArgumentException("invalid option name: " + option.name());
        }
        if (options.putIfAbsent(option.name(), option) != null) {
            throw new IllegalArgumentException("option declared twice: " + option.name());
        }
        return this;
    }

    /**
     * Parses {@code args} (without the subcommand's name). When help is asked for, returns at once
     * without checking anything else.
     *
     * @throws UsageException on an unknown option, a missing or extra value or argument
     */
    public Parsed parse(List<String> args) {
        int end = args.indexOf("--");
        List<String> optionPart = end < 0 ? args : args.subList(0, end);
        if (optionPart.contains(HELP_LONG) || optionPart.contains(HELP_SHORT)) {
            return new Parsed(this, true, Map.of(), Map.of());
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> arguments = new ArrayList<>();
        boolean onlyArguments = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (onlyArguments || arg.equals("-") || !arg.startsWith("-")) {
                arguments.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyArguments = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            Option option = options.get(name);
            if (option == null) {
                throw new UsageException("unknown option " + name);
            }
            List<String> given = values.computeIfAbsent(name, n -> new ArrayList<>());
            if (option.kind() == Kind.FLAG) {
                if (eq > 0) {
                    throw new UsageException(name + " takes no value");
                }
                given.add("true");
                continue;
            }
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value " + option.valueName());
            }
            if (option.kind() == Kind.SINGLE && !given.isEmpty()) {
                throw new UsageException(name + " given more than once");
            }
            given.add(value);
        }
        for (Option option : options.values()) {
            if (option.required() && !values.containsKey(option.name())) {
                throw new UsageException("missing " + option.name() + " " + option.valueName());
            }
        }
        eitherOr.forEach((first, second) -> {
            boolean one = values.containsKey(first);
            boolean other = values.containsKey(second);
            if (one == other) {
                throw new UsageException(one ? first + " and " + second + " exclude each other"
                        : "missing " + options.get(first).column() + " (or " + options.get(second).column() + ")");
            }
        });
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            if (i >= positionals.size()) {
                throw new UsageException("unexpected argument '" + arguments.get(i) + "'");
            }
            named.put(positionals.get(i).name(), arguments.get(i));
        }
        for (Positional p : positionals) {
            if (p.required() && !named.containsKey(p.name())) {
                throw new UsageException("missing " + p.name());
            }
        }
        return new Parsed(this, false, values, named);
    }

    /** One line: {@code qmp4j qmp --socket PATH [--timeout DURATION] COMMAND [ARGS-JSON]}. */
    public String synopsis() {
        StringBuilder s = new StringBuilder(command);
        for (Option o : options.values()) {
            String second = eitherOr.get(o.name());
            if (second != null) {
                Option other = options.get(second);
                s.append(" (").append(o.column()).append(" | ").append(other.column())
                        .append(other.kind() == Kind.REPEATED ? "..." : "").append(')');
            } else if (!eitherOr.containsValue(o.name())) {
                s.append(' ').append(o.synopsis());
            }
        }
        positionals.forEach(p -> s.append(' ').append(p.required() ? p.name() : "[" + p.name() + "]"));
        return s.toString();
    }

    /** The full usage text: synopsis, description, options and arguments; ends with a newline. */
    public String usage() {
        List<String[]> optionRows = new ArrayList<>();
        options.values().forEach(o -> optionRows.add(new String[] {o.column(),
                o.help() + (o.kind() == Kind.REPEATED ? " (repeatable)" : "")}));
        optionRows.add(new String[] {HELP_SHORT + ", " + HELP_LONG, "show this help"});
        List<String[]> argumentRows = new ArrayList<>();
        positionals.forEach(p -> argumentRows.add(new String[] {p.name(), p.help()}));
        int width = 0;
        for (List<String[]> rows : List.of(optionRows, argumentRows)) {
            for (String[] row : rows) {
                width = Math.max(width, row[0].length());
            }
        }
        StringBuilder s = new StringBuilder("Usage: ").append(synopsis()).append("\n\n")
                .append(description).append("\n");
        appendRows(s, "Options:", optionRows, width);
        appendRows(s, "Arguments:", argumentRows, width);
        return s.toString();
    }

    private static void appendRows(StringBuilder s, String title, List<String[]> rows, int width) {
        if (rows.isEmpty()) {
            return;
        }
        s.append('\n').append(title).append('\n');
        for (String[] row : rows) {
            s.append("  ").append(row[0]).append(" ".repeat(width - row[0].length() + 3)).append(row[1]).append('\n');
        }
    }

    /** The result of {@link #parse}: what was given, by declared name. */
    public static final class Parsed {
        private final ArgParser parser;
        private final boolean helpRequested;
        private final Map<String, List<String>> values;
        private final Map<String, String> arguments;

        private Parsed(ArgParser parser, boolean helpRequested, Map<String, List<String>> values,
                       Map<String, String> arguments) {
            this.parser = parser;
            this.helpRequested = helpRequested;
            this.values = values;
            this.arguments = arguments;
        }

        /** Whether {@code -h} or {@code --help} was given: nothing else was checked then. */
        public boolean helpRequested() {
            return helpRequested;
        }

        /** Whether the flag was given. */
        public boolean flag(String name) {
            declared(name);
            return values.containsKey(name);
        }

        /** The value of a single-valued option, if given. */
        public Optional<String> value(String name) {
            List<String> all = values(name);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        }

        /** The converted value of a single-valued option, if given. */
        public <T> Optional<T> value(String name, Function<String, T> converter) {
            return value(name).map(v -> convert(name, v, converter));
        }

        /** Every value of an option, in order (empty when not given). */
        public List<String> values(String name) {
            declared(name);
            return List.copyOf(values.getOrDefault(name, List.of()));
        }

        /** A positional argument, if given. */
        public Optional<String> argument(String name) {
            if (parser.positionals.stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("argument not declared: " + name);
            }
            return Optional.ofNullable(arguments.get(name));
        }

        /** A converted positional argument, if given. */
        public <T> Optional<T> argument(String name, Function<String, T> converter) {
            return argument(name).map(v -> convert(name, v, converter));
        }

        private void declared(String name) {
            if (!parser.options.containsKey(name)) {
                throw new IllegalArgumentException("option not declared: " + name);
            }
        }

        private static <T> T convert(String name, String value, Function<String, T> converter) {
            try {
                return converter.apply(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid " + name + " '" + value + "': " + e.getMessage());
            }
        }
    }
}
