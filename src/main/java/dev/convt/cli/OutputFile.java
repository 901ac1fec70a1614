package dev.convt.cli;

import dev.convt.Tensor;
import dev.convt.npy.Npy;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
        Path path = FileOption.path(option, name);
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
     * Writes {@code tensor} as float32 and moves it into place. If the JVM is shut down meanwhile
     * (SIGTERM, Ctrl-C), a shutdown hook deletes the partial file.
     *
     * @param tensor the array to write
     * @throws CliException if it cannot be written; the destination is then untouched
     */
    void write(Tensor tensor) {
        // Same directory, so the rename is atomic; a random name, so concurrent runs do not collide;
        // a short name of its own, so that any name the destination may have still leaves room for
        // it (255 bytes); a plain new file rather than Files.createTempFile, so it gets the usual
        // permissions, not 0600.
        Path temporary = path.resolveSibling(".convt-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        Cleanup cleanup = new Cleanup(temporary);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Npy.write(temporary, tensor);
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(option + " " + name + ": cannot write: " + reason(e, temporary));
        } finally {
            deleteQuietly(temporary);
            cleanup.writerDone.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run: it deletes the file itself.
            }
        }
    }

    /** The problem, without the temporary file's name: the user named the destination. */
    private String reason(IOException e, Path temporary) {
        String reason = e instanceof FileSystemException f ? Main.reason(f) : e.getMessage();
        return reason == null ? e.getClass().getName() : reason.replace(temporary.toString(), name);
    }

    /**
     * Deletes the temporary file when the JVM shuts down while it is written. The writer may be
     * just about to create it, so the hook deletes it, gives the writer a moment to stop, and
     * deletes again; it never waits longer than that, so a stuck write cannot hold up the exit.
     */
    private static final class Cleanup extends Thread {

        private static final long WAIT_MILLIS = 500;

        private final Path temporary;
        private final CountDownLatch writerDone = new CountDownLatch(1);

        Cleanup(Path temporary) {
            super("convt-delete-" + temporary.getFileName());
            this.temporary = temporary;
        }

        @Override
        public void run() {
            deleteQuietly(temporary);
            try {
                writerDone.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
