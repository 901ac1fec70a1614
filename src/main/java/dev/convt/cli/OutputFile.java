package dev.convt.cli;

import dev.convt.Tensor;
import dev.convt.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code .npy} file a command writes. It is written under a temporary name in its own
 * directory and renamed over the destination only when complete, so a failure at any point leaves
 * neither a partial file nor a changed one.
 */
final class OutputFile {

    private final String option;
    private final String name;
    private final Path path;

    private OutputFile(String option, String name, Path path) {
        this.option = option;
        this.name = name;
        this.path = path;
    }

    /**
     * Checks, before any work is done, that the destination can be a file.
     *
     * @param option the option that named it, for error messages
     * @param name the path as given
     * @throws CliException if its directory does not exist, or it exists and is not a regular file
     */
    static OutputFile of(String option, String name) {
        Path path = Path.of(name);
        Path absolute = path.toAbsolutePath().normalize();
        // /dev/stdout and the like resolve, through /proc/self/fd, to whatever the stream is
        // redirected to: renaming over that would swap out a file that the shell holds open.
        if (absolute.startsWith("/dev") || absolute.startsWith("/proc")) {
            throw new CliException(option + " " + name + ": not a regular file; convt writes .npy files");
        }
        if (Files.isDirectory(path)) {
            throw new CliException(option + " " + name + ": is a directory");
        }
        if (Files.exists(path)) {
            // The rename replaces what it lands on: a link must lead to the file it names, and a
            // device such as /dev/stdout must not be swapped for a file.
            try {
                path = path.toRealPath();
            } catch (IOException e) {
                throw new CliException(option + " " + Main.ioMessage(e));
            }
            if (!Files.isRegularFile(path)) {
                throw new CliException(option + " " + name + ": not a regular file; convt writes .npy files");
            }
        }
        Path directory = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            throw new CliException(option + " " + name + ": directory " + directory + " does not exist");
        }
        return new OutputFile(option, name, path);
    }

    /**
     * Writes {@code tensor} as float32 and moves it into place.
     *
     * @param tensor the array to write
     * @throws CliException if it cannot be written; the destination is then untouched
     */
    void write(Tensor tensor) {
        // Same directory, so the rename is atomic; a random name, so concurrent runs do not collide;
        // a plain new file rather than Files.createTempFile, so it gets the usual permissions, not 0600.
        Path temporary = path.resolveSibling("." + path.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Npy.write(temporary, tensor);
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(option + " " + name + ": cannot write: " + Main.ioMessage(e));
        } finally {
            deleteQuietly(temporary);
        }
    }

    /** After a successful rename there is nothing left to delete; after a failure the first error is the one to report. */
    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // Either nothing was left or the error being reported already says what went wrong.
        }
    }

    /** {@return the path as the user gave it} */
    @Override
    public String toString() {
        return name;
    }
}
