package dev.convt.cli;

import java.io.PrintStream;
import java.util.Set;

/** A subcommand: the options it accepts, its help text, and what it does with them. */
abstract class Command {

    private final String usage;
    private final Set<String> valuedOptions;
    private final Set<String> flags;

    Command(String usage, Set<String> valuedOptions, Set<String> flags) {
        this.usage = usage;
        this.valuedOptions = valuedOptions;
        this.flags = flags;
    }

    /** {@return the help text, ending with a newline} */
    final String usage() {
        return usage;
    }

    /** {@return the options that take a value} */
    final Set<String> valuedOptions() {
        return valuedOptions;
    }

    /** {@return the options that take none} */
    final Set<String> flags() {
        return flags;
    }

    /**
     * Does the work.
     *
     * @param options the parsed options
     * @param out receives the command's report
     * @throws CliException for anything the user can fix, files that cannot be read or written included
     */
    abstract void execute(Options options, PrintStream out);
}
