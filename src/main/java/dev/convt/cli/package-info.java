/**
 * The {@code convt} command line ({@code ./convt run}, {@code ./convt explain}): internal, not
 * exported by the module. {@link dev.convt.cli.Main#run} is the entry point that tests call.
 */
package dev.convt.cli;
