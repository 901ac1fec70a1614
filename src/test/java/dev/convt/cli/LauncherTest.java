package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.npy.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real {@code ./convt} script: it finds a JDK 25, runs the CLI, and keeps errors to one line,
 * which needs the JVM's own notes filtered out of stderr.
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
        return launch(Map.of(), args);
    }

    private static Run launch(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return finish(start(environment, args));
    }

    /** Waits for a started process, reading both outputs while it runs so that a full pipe cannot stop it. */
    private static Run finish(Process p) throws InterruptedException {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(p.info().command().orElse("the process") + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    private static Process start(Map<String, String> environment, String... args) throws IOException {
        Path script = ROOT.resolve("convt");
        assertTrue(Files.isExecutable(script), () -> script + " is missing or not executable");
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // Maven owns target/ while the tests run, and has just compiled it.
        pb.environment().put("CONVT_NO_BUILD", "1");
        // The launcher's own defaults, not whatever the shell that runs the build has set.
        pb.environment().keySet().removeAll(List.of("CONVT_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                "JDK_JAVA_OPTIONS"));
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
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
    void versionComesFromThePomEvenWhenRunFromTheClasses() throws Exception {
        Run run = launch("--version");
        assertEquals(new Run(0, "convt " + MainTest.pomVersion() + "\n", ""), run);
    }

    @Test
    void anErrorIsOneLineAndExitCodeTwo() throws Exception {
        Path missing = dir.resolve("missing.npy");
        Run run = launch("run", "--x", missing.toString(), "--w", missing.toString(), "--out",
                dir.resolve("y.npy").toString());
        assertEquals(new Run(2, "", "convt: --x " + missing + ": no such file\n"), run);
        assertEquals(List.of(), listing(), "no output file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"})
    void anErrorStaysOneLineWhenTheJvmSaysItPickedUpOptions(String variable) throws Exception {
        Path missing = dir.resolve("missing.npy");
        Run run = launch(Map.of(variable, "-Xss2m"), "run", "--x", missing.toString(), "--w", missing.toString(),
                "--out", dir.resolve("y.npy").toString());
        assertEquals(new Run(2, "", "convt: --x " + missing + ": no such file\n"), run);
    }

    @Test
    void convtJavaOptsReachTheJvmSplitAtWhiteSpace() throws Exception {
        // PrintCommandLineFlags lists the JVM's flags on stdout, -Xss among them as ThreadStackSize.
        Run run = launch(Map.of("CONVT_JAVA_OPTS", " -Xss3m  -XX:+PrintCommandLineFlags "), "--version");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).contains("-XX:ThreadStackSize=3072"), lines.get(0));
        assertEquals("convt " + MainTest.pomVersion(), lines.get(1));
    }

    @Test
    void nonAsciiPathsWorkUnderThePosixLocale() throws Exception {
        Path x = dir.resolve("entrée.npy");
        Npy.write(x, new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Path w = dir.resolve("w.npy");
        Npy.write(w, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Path y = dir.resolve("sortie-ÿ.npy");
        Run run = launch(Map.of("LC_ALL", "C"), "run", "--x", x.toString(), "--w", w.toString(), "--out", y.toString());
        assertEquals(new Run(0, "wrote " + y + ": (1, 1, 4, 4) float32\n", ""), run);
        assertEquals(63f, Npy.read(y).data()[10], "the classic example's Y[2][2]");
    }

    @Test
    void withoutTheLauncherAnUnencodablePathIsOneLineNamingTheOptionAndTheFix() throws Exception {
        // The JVM under the C locale, started directly: the arguments' non-ASCII bytes are lost.
        // Not by ChildJvm: this needs its own environment and the two outputs apart.
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-cp",
                ROOT.resolve("target/classes").toString(), Main.class.getName(), "run", "--x",
                dir.resolve("é.npy").toString(), "--w", "w.npy", "--out", "y.npy");
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        Run run = finish(p);
        assertEquals(2, run.code(), run.err());
        assertEquals("", run.out());
        List<String> lines = run.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(List.of("convt: --x " + dir + "/??.npy: the path has characters that the file-name encoding"
                + " of this locale (ANSI_X3.4-1968) cannot represent; run under a UTF-8 locale, for example"
                + " LC_ALL=C.UTF-8"), lines);
    }

    @Test
    void sigtermWhileWritingLeavesNoFileBehind() throws Exception {
        // A 64x64 kernel at stride 64 places each input pixel's copy apart: a 128 MiB output from
        // 32 KiB of input, little computation and a long write.
        Path x = dir.resolve("x.npy");
        Npy.write(x, new float[2 * 64 * 64], 2, 1, 64, 64);
        Path w = dir.resolve("w.npy");
        Npy.write(w, new float[64 * 64], 1, 1, 64, 64);
        List<String> inputs = listing();
        Path y = dir.resolve("y.npy");
        // The signal can arrive just after the write has finished; then the run is tried again.
        for (int attempt = 0; attempt < 3; attempt++) {
            Process p = start(Map.of(), "run", "--x", x.toString(), "--w", w.toString(), "--stride", "64", "--out",
                    y.toString());
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean writing = false;
            while (!writing && p.isAlive() && System.nanoTime() < deadline) {
                writing = listing().stream().anyMatch(name -> name.startsWith("."));
                Thread.onSpinWait();
            }
            if (!writing) {
                p.destroyForcibly();
                fail("never saw the temporary file while the output was written; stderr: " + err.join());
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits on SIGTERM");
            if (p.exitValue() == 0) {
                Files.delete(y);
                continue;
            }
            assertEquals(128 + 15, p.exitValue(), "killed by SIGTERM; stderr: " + err.join());
            assertEquals(inputs, listing(), "neither the temporary file nor an output is left");
            return;
        }
        fail("every run finished its write before SIGTERM reached it");
    }
}
