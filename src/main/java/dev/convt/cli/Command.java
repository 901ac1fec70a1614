package dev.convt.cli;

import java.io.PrintStream;
import java.util.Set;

/** A subcommand: the options it accepts, its help text, and what it does with them. */
interface Command {

    /** {@return the help text, ending with a newline} */
    String usage();

    /** {@return the options that take a value} */
    Set<String> valuedOptions();

    /** {@return the options that take none} */
    Set<String> flags();

    /**
     * Does the work.
     *
     * @param options the parsed options
     * @param out receives the command's report
     * @throws CliException for anything the user can fix, files that cannot be read or written included
     */
    void execute(Options options, PrintStream out);
}
