package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./convt} script: it finds a JDK 25, runs the CLI, and keeps errors to one line,
 * which needs the JVM's incubator warning filtered out of stderr.
 */
class LauncherTest {

    /** Maven's project directory, where the script lives. */
    private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));

    @TempDir
    Path dir;

    /**
     * What the script printed.
     *
     * @param code exit code
     * @param out standard output
     * @param err error output
     */
    private record Run(int code, String out, String err) {}

    private static Run launch(String... args) throws IOException, InterruptedException {
        Path script = ROOT.resolve("convt");
        assertTrue(Files.isExecutable(script), () -> script + " is missing or not executable");
        ProcessBuilder pb = new ProcessBuilder(List.of(args).isEmpty() ? List.of(script.toString())
                : java.util.stream.Stream.concat(java.util.stream.Stream.of(script.toString()), List.of(args).stream())
                        .toList());
        // Maven owns target/ while the tests run, and has just compiled it.
        pb.environment().put("CONVT_NO_BUILD", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./convt did not finish within 60 s");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void helpExitsWithZero() throws Exception {
        Run run = launch("--help");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("Usage: convt <command>"), run.out());
        assertEquals("", run.err(), "the incubator warning is filtered out");
    }

    @Test
    void anErrorIsOneLineAndExitCodeTwo() throws Exception {
        Path missing = dir.resolve("missing.npy");
        Run run = launch("run", "--x", missing.toString(), "--w", missing.toString(), "--out",
                dir.resolve("y.npy").toString());
        assertEquals(2, run.code());
        assertEquals("convt: --x " + missing + ": no such file\n", run.err());
        assertEquals("", run.out());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no output file");
        }
    }
}
