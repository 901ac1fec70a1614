package dev.convt.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;

/**
 * The {@code convt} command: {@code convt run} computes one transposed convolution on
 * {@code .npy} files, {@code convt explain} prints the method step by step for a small example.
 *
 * <p>Every failure ends the same way: exit code 2 and a single line {@code convt: <problem>} on
 * the error stream, never a stack trace, so that scripts can report it as it is.
 */
public final class Main {

    /** Exit code of a successful command. */
    public static final int OK = 0;

    /** Exit code of any failure. */
    public static final int FAILED = 2;

    static final String USAGE = """
            Usage: convt <command> [options]

            Transposed convolution (ConvTranspose) in pure Java.

            Commands:
              run       run one transposed convolution on NumPy .npy files
              explain   show, for a small example, the zero-insertion method and the matrix view

            convt <command> --help shows a command's options.
            Errors exit with code 2 and one line on stderr.
            """;

    private Main() {}

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments: a command and its options
     * @param out receives the command's output
     * @param err receives the error line, if any
     * @return {@link #OK}, or {@link #FAILED} after writing one line to {@code err}
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(List.of(args), out);
        } catch (CliException | IllegalArgumentException | IllegalStateException e) {
            return fail(err, e.getMessage(), e);
        } catch (UncheckedIOException e) {
            return fail(err, ioMessage(e.getCause()), e);
        } catch (OutOfMemoryError e) {
            return fail(err, "out of memory (" + e.getMessage() + "); try a smaller input or a larger -Xmx", e);
        } catch (RuntimeException e) {
            return fail(err, "internal error: " + e, e);
        } finally {
            out.flush();
        }
    }

    private static int dispatch(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new CliException("missing command: run or explain (see convt --help)");
        }
        String name = args.getFirst();
        if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
            out.print(USAGE);
            return OK;
        }
        Command command = switch (name) {
            case "run" -> new RunCommand();
            case "explain" -> new ExplainCommand();
            default -> throw new CliException("unknown command '" + name + "' (expected run or explain; see convt --help)");
        };
        List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
        } else {
            command.execute(Options.parse(name, rest, command.valuedOptions(), command.flags()), out);
        }
        return OK;
    }

    /** The file-system exceptions' own messages are often just the path, which names no problem. */
    static String ioMessage(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String reason = switch (f) {
                case NoSuchFileException _ -> "no such file or directory";
                case AccessDeniedException _ -> "permission denied";
                case NotDirectoryException _ -> "not a directory";
                case FileAlreadyExistsException _ -> "already exists";
                default -> f.getClass().getSimpleName();
            };
            return f.getFile() + ": " + reason;
        }
        return e.getMessage();
    }

    private static int fail(PrintStream err, String message, Throwable cause) {
        String text = message == null || message.isBlank() ? cause.getClass().getName() : message;
        err.println("convt: " + String.join(" ", text.strip().split("\\s*\\R\\s*")));
        err.flush();
        return FAILED;
    }
}
