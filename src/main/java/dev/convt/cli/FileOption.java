package dev.convt.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The paths that options name, turned into {@link Path}s with errors that name the option. */
final class FileOption {

    private FileOption() {}

    /**
     * {@return the path {@code name}}
     *
     * @param option the option that gave it, for error messages
     * @param name the path as given
     * @throws CliException if it cannot be a path here: a NUL character, or characters that the
     *     file-name encoding of the locale cannot represent
     */
    static Path path(String option, String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            if (name.indexOf('\0') >= 0) {
                throw new CliException(option + " " + printable(name) + ": a path cannot contain a NUL character");
            }
            // The JVM decodes file names in the locale's encoding (sun.jnu.encoding): under the C
            // or POSIX locale that is ASCII, and the bytes of any other character are already lost
            // (shown as '?') by the time the arguments reach Java.
            throw new CliException(option + " " + printable(name) + ": the path has characters that the file-name"
                    + " encoding of this locale (" + System.getProperty("sun.jnu.encoding") + ") cannot represent;"
                    + " run under a UTF-8 locale, for example LC_ALL=C.UTF-8");
        }
    }

    /**
     * {@return the path of a file to read}
     *
     * @param option the option that gave it, for error messages
     * @param name the path as given
     * @throws CliException if it does not exist, or is not a regular file (a directory, a FIFO,
     *     a device), which could not be read as a {@code .npy} file or would block the read
     */
    static Path input(String option, String name) {
        Path path = path(option, name);
        if (!Files.exists(path)) {
            throw new CliException(option + " " + name + ": no such file");
        }
        if (Files.isDirectory(path)) {
            throw new CliException(option + " " + name + ": is a directory");
        }
        if (!Files.isRegularFile(path)) {
            throw new CliException(option + " " + name + ": not a regular file (a FIFO, device or socket);"
                    + " convt reads .npy files");
        }
        return path;
    }

    /** Replaces the characters that would break the one error line, or vanish in it, by '?'. */
    private static String printable(String name) {
        return name.replaceAll("[\\p{Cntrl}]", "?");
    }
}
