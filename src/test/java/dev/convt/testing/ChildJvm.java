package dev.convt.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by a test, for what one JVM cannot show about itself: flags and limits fixed at
 * start, a fresh JIT, a missing module. It runs this JVM's own launcher with the given flags, on
 * this JVM's class path unless told otherwise, and ends within a time limit or fails the test.
 *
 * <pre>{@code
 * ChildJvm.Result r = ChildJvm.withFlags(ChildJvm.VECTOR_API, "-Xmx64m").run(TIMEOUT, Probe.class.getName(), "arg");
 * assertEquals(0, r.exitCode(), r.output());
 * }</pre>
 */
public final class ChildJvm {

    /** The flag that makes the Vector API, which the kernels need, visible on the class path. */
    public static final String VECTOR_API = "--add-modules=jdk.incubator.vector";

    private final List<String> flags;
    private String classPath = System.getProperty("java.class.path");
    private boolean errorOutput = true;

    private ChildJvm(List<String> flags) {
        this.flags = flags;
    }

    /**
     * What a child JVM printed and how it ended.
     *
     * @param exitCode the process's exit code
     * @param output its standard output, with its error output unless {@link #withoutErrorOutput}
     */
    public record Result(int exitCode, String output) {

        /** {@return the output's last line, what a probe prints after the JVM's own warnings} */
        public String lastLine() {
            String s = output.strip();
            return s.substring(s.lastIndexOf('\n') + 1);
        }
    }

    /**
     * @param flags JVM flags, before the class path
     * @return a child JVM on this JVM's class path
     */
    public static ChildJvm withFlags(String... flags) {
        return new ChildJvm(List.of(flags));
    }

    /**
     * @param path the class path, instead of this JVM's
     * @return this
     */
    public ChildJvm classPath(String path) {
        classPath = path;
        return this;
    }

    /**
     * Keeps only the standard output, for probes whose result is all they print: the JVM's own
     * warnings go to the error output and are discarded.
     *
     * @return this
     */
    public ChildJvm withoutErrorOutput() {
        errorOutput = false;
        return this;
    }

    /**
     * Runs the JVM to its end, with its standard input closed.
     *
     * @param timeout how long it may take; past it the process is killed and the test fails
     * @param main a main class, or a source file to launch
     * @param args the program's arguments
     * @return the exit code and output
     * @throws AssertionError if the JVM did not end within {@code timeout}
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     */
    public Result run(Duration timeout, String main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (errorOutput) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        // Read while the JVM runs: a full pipe would stop it before it ends.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(main + " did not end within " + timeout.toSeconds() + " s; its output:\n"
                    + output.join());
        }
        return new Result(p.exitValue(), output.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
