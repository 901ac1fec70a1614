package dev.convt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Properties;

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

            convt <command> --help shows a command's options; convt --version the version.
            Errors exit with code 2 and one line on stderr.
            """;

    /** Written by Maven's resource filtering; see {@code src/main/filtered-resources}. */
    private static final String VERSION_RESOURCE = "version.properties";

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
        } catch (RuntimeException | Error e) {
            // A bug, but still one line: the contract holds for failures nobody foresaw.
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
        if (name.equals("--version") || name.equals("-V") || name.equals("version")) {
            out.println("convt " + version());
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

    /**
     * {@return the project's version} Maven writes it into a resource when it builds the classes,
     * so it is there both in the jar and in {@code target/classes}, where {@code ./convt} runs.
     */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = Main.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + VERSION_RESOURCE + " beside the classes; build with ./mvnw");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    /** The file-system exceptions' own messages are often just the path, which names no problem. */
    static String ioMessage(IOException e) {
        return e instanceof FileSystemException f && f.getReason() == null ? f.getFile() + ": " + reason(f)
                : e.getMessage();
    }

    /** {@return what went wrong, without the file's name} */
    static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        return switch (e) {
            case NoSuchFileException _ -> "no such file or directory";
            case AccessDeniedException _ -> "permission denied";
            case NotDirectoryException _ -> "not a directory";
            case FileAlreadyExistsException _ -> "already exists";
            default -> e.getClass().getSimpleName();
        };
    }

    private static int fail(PrintStream err, String message, Throwable cause) {
        String text = message == null || message.isBlank() ? cause.getClass().getName() : message;
        err.println("convt: " + String.join(" ", text.strip().split("\\s*\\R\\s*")));
        err.flush();
        return FAILED;
    }
}
