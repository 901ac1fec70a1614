package dev.convt.cli;

/**
 * A problem with what the user asked for (an unknown option, a bad number, a missing file), as
 * opposed to a bug; its message is shown as the one error line.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
