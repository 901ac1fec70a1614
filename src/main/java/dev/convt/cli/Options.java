package dev.convt.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The options of one subcommand: {@code --name value}, {@code --name=value} or a bare
 * {@code --flag}, each at most once. Typed accessors report bad values with the option's name.
 */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args}.
     *
     * @param command the subcommand, for error messages
     * @param args the arguments after the subcommand
     * @param valued options that take a value
     * @param flags options that take none
     * @throws CliException for a positional argument, an unknown, repeated or valueless option
     */
    static Options parse(String command, List<String> args, Set<String> valued, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new CliException("unexpected argument '" + arg + "' (options start with --; see convt " + command
                        + " --help)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String value;
            if (flags.contains(name)) {
                if (equals >= 0) {
                    throw new CliException(name + " takes no value");
                }
                value = "";
            } else if (valued.contains(name)) {
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else {
                    // A following option means the value was forgotten; "-1" is still a value.
                    value = i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(++i) : "";
                }
                if (value.isEmpty()) {
                    throw new CliException(name + " needs a value");
                }
            } else {
                throw new CliException("unknown option " + name + " for convt " + command + " (see convt " + command
                        + " --help)");
            }
            if (values.putIfAbsent(name, value) != null) {
                throw new CliException(name + " is given twice");
            }
        }
        return new Options(values);
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    /** {@return the option's value, or null when it is absent} */
    String value(String option) {
        return values.get(option);
    }

    String required(String option, String what) {
        String v = values.get(option);
        if (v == null) {
            throw new CliException("missing " + option + " (" + what + ")");
        }
        return v;
    }

    /** {@return the option's whole number, or {@code fallback} when it is absent} */
    int integer(String option, int fallback) {
        String v = values.get(option);
        return v == null ? fallback : parseInt(option, v);
    }

    /** {@return the option's comma-separated whole numbers, or null when it is absent} */
    int[] integers(String option) {
        String v = values.get(option);
        if (v == null) {
            return null;
        }
        String[] parts = v.split(",", -1);
        int[] numbers = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = parseInt(option, parts[i]);
        }
        return numbers;
    }

    /** Passes the option's comma-separated whole numbers to {@code setter}, if the option is given. */
    void ifGiven(String option, Consumer<int[]> setter) {
        int[] numbers = integers(option);
        if (numbers != null) {
            setter.accept(numbers);
        }
    }

    static int parseInt(String option, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new CliException(option + ": '" + text + "' is not a whole number");
        }
    }

    static float parseFloat(String option, String text) {
        try {
            return Float.parseFloat(text.strip());
        } catch (NumberFormatException e) {
            throw new CliException(option + ": '" + text + "' is not a number");
        }
    }
}
