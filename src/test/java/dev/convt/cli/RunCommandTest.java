package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.npy.Npy;
import dev.convt.npy.NpyArray;
import dev.convt.reference.DirectReference;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.Tolerance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code convt run}: every option against the scalar reference, and every error as one line. */
class RunCommandTest {

    @TempDir
    Path dir;

    private String x;
    private String w;
    private String b;
    private String y;

    /** A 2-D case with 4 input channels, so that groups 1, 2 and 4 all fit. */
    @BeforeEach
    void writeOperands() throws IOException {
        x = write("x.npy", random(1, 2 * 4 * 5 * 6), 2, 4, 5, 6);
        w = write("w.npy", random(2, 4 * 3 * 3 * 2), 4, 3, 3, 2);
        b = write("b.npy", random(3, 12), 12);
        y = dir.resolve("y.npy").toString();
    }

    private String write(String name, float[] data, long... shape) throws IOException {
        Path file = dir.resolve(name);
        Npy.write(file, data, shape);
        return file.toString();
    }

    private static float[] random(long seed, int n) {
        return RandomFloats.uniform(new Random(seed), n);
    }

    private static String[] args(String... parts) {
        return parts;
    }

    private static String[] concat(String[] first, String... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
    }

    private NpyArray read(String file) throws IOException {
        return Npy.read(Path.of(file));
    }

    /** Asserts that the file holds the reference result for {@code spec} on the files' operands. */
    private void assertMatchesReference(String file, ConvTransposeSpec spec, String input, String weights, String bias,
            Epilogue epilogue) throws IOException {
        NpyArray in = read(input);
        ConvTransposeGeometry g = spec.geometry(in.shape());
        DirectReference.Result exact = DirectReference.forwardWithMagnitudes(g, in.data(), read(weights).data(),
                bias == null ? null : read(bias).data(), epilogue);
        NpyArray actual = read(file);
        assertArrayEquals(g.outputShape(), actual.shape(), "output shape");
        int terms = Tolerance.maxTerms(spec);
        for (int i = 0; i < actual.data().length; i++) {
            float expected = exact.output()[i];
            // The fast path evaluates sigmoid and tanh in float vectors: a few ulp on top of the sum's bound.
            double tolerance = Tolerance.bound(exact.magnitudes()[i], terms) + 4 * Math.ulp(expected);
            if (!(Math.abs(actual.data()[i] - expected) <= tolerance)) {
                fail("element " + i + ": " + actual.data()[i] + ", reference " + expected + " (tolerance " + tolerance + ")");
            }
        }
    }

    // ------------------------------------------------------------------ results

    @Test
    void theClassicExampleGivesTheHandWorkedOutput() throws IOException {
        String x1 = write("x1.npy", new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        String w1 = write("w1.npy", new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        String out = Cli.output("run", "--x", x1, "--w", w1, "--out", y);
        assertEquals("wrote " + y + ": (1, 1, 4, 4) float32\n", out);
        assertEquals(new NpyArray(new long[] {1, 1, 4, 4}, new float[] {
            1, 4, 7, 6,
            7, 23, 33, 24,
            19, 53, 63, 42,
            21, 52, 59, 36}), read(y));
        assertTrue(Files.readString(dir.resolve("y.npy"), StandardCharsets.ISO_8859_1)
                .contains("'descr': '<f4'"), "written as float32");
    }

    static Stream<Arguments> geometryOptions() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("", (UnaryOperator<ConvTransposeSpec.Builder>) s -> s));
        cases.add(Arguments.of("--stride 2", (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.stride(2)));
        cases.add(Arguments.of("--stride 2,3", (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.stride(2, 3)));
        cases.add(Arguments.of("--padding 1", (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.padding(1)));
        cases.add(Arguments.of("--stride 2 --padding 1,0 --output-padding 1",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.stride(2).padding(1, 0).outputPadding(1)));
        cases.add(Arguments.of("--dilation 2,3", (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.dilation(2, 3)));
        cases.add(Arguments.of("--pads 1,0,2,1 --stride 2",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.pads(1, 0, 2, 1).stride(2)));
        cases.add(Arguments.of("--auto-pad SAME_UPPER --stride 2",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.autoPad(ConvTransposeSpec.AutoPad.SAME_UPPER).stride(2)));
        cases.add(Arguments.of("--auto-pad same_lower --stride 3",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.autoPad(ConvTransposeSpec.AutoPad.SAME_LOWER).stride(3)));
        cases.add(Arguments.of("--auto-pad VALID",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.autoPad(ConvTransposeSpec.AutoPad.VALID)));
        cases.add(Arguments.of("--output-shape 12,15 --stride 2",
                (UnaryOperator<ConvTransposeSpec.Builder>) s -> s.outputShape(12, 15).stride(2)));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("geometryOptions")
    void eachGeometryOptionGivesTheReferenceResult(String options, UnaryOperator<ConvTransposeSpec.Builder> expected)
            throws IOException {
        String[] given = options.isEmpty() ? new String[0] : options.split(" ");
        Cli.output(concat(args("run", "--x", x, "--w", w, "--b", b, "--groups", "4", "--out", y), given));
        ConvTransposeSpec spec = expected.apply(ConvTransposeSpec.builder(4, 12, 3, 2).groups(4)).build();
        assertMatchesReference(y, spec, x, w, b, null);
    }

    @ParameterizedTest
    @CsvSource({"1, 3", "2, 6", "4, 12"})
    void groupsMultiplyTheWeightsOutputChannels(int groups, int outChannels) throws IOException {
        Cli.output("run", "--x", x, "--w", w, "--groups", String.valueOf(groups), "--out", y);
        assertEquals(outChannels, read(y).shape()[1]);
        assertMatchesReference(y, ConvTransposeSpec.builder(4, outChannels, 3, 2).groups(groups).bias(false).build(),
                x, w, null, null);
    }

    @Test
    void rankThreeArraysAreOneDimensional() throws IOException {
        String x1 = write("x1.npy", random(4, 2 * 3 * 7), 2, 3, 7);
        String w1 = write("w1.npy", random(5, 3 * 2 * 4), 3, 2, 4);
        String b1 = write("b1.npy", random(6, 2), 2);
        Cli.output("run", "--x", x1, "--w", w1, "--b", b1, "--stride", "3", "--padding", "1", "--output-padding", "2",
                "--dilation", "1", "--out", y);
        assertMatchesReference(y, ConvTransposeSpec.builder1d(3, 2, 4).stride(3).padding(1).outputPadding(2).build(),
                x1, w1, b1, null);
        assertEquals(3, read(y).rank());

        Cli.output("run", "--x", x1, "--w", w1, "--pads", "0,2", "--out", y);
        assertMatchesReference(y, ConvTransposeSpec.builder1d(3, 2, 4).pads(0, 2).bias(false).build(), x1, w1, null, null);

        assertEquals("stride takes one value for a 1-D spec, got 2,2",
                Cli.error("run", "--x", x1, "--w", w1, "--stride", "2,2", "--out", y));
        assertEquals("pads takes 2 values (begins, then ends) for a 1-D spec, got 4",
                Cli.error("run", "--x", x1, "--w", w1, "--pads", "1,1,1,1", "--out", y));
    }

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of("none", Epilogue.NONE),
                Arguments.of("relu", Epilogue.relu()),
                Arguments.of("leaky-relu", Epilogue.leakyRelu(0.01f)),
                Arguments.of("leaky-relu:0.1", Epilogue.leakyRelu(0.1f)),
                Arguments.of("clamp:-0.5,0.25", Epilogue.clamp(-0.5f, 0.25f)),
                Arguments.of("sigmoid", Epilogue.sigmoid()),
                Arguments.of("tanh", Epilogue.tanh()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("activations")
    void activationsFollowTheBias(String activation, Epilogue epilogue) throws IOException {
        Cli.output("run", "--x", x, "--w", w, "--b", b, "--groups", "4", "--stride", "2", "--activation", activation,
                "--out", y);
        ConvTransposeSpec spec = ConvTransposeSpec.builder(4, 12, 3, 2).groups(4).stride(2).build();
        assertMatchesReference(y, spec, x, w, b, epilogue);
    }

    @Test
    void activationsChangeTheValues() throws IOException {
        Cli.output("run", "--x", x, "--w", w, "--b", b, "--groups", "4", "--activation", "relu", "--out", y);
        float[] relu = read(y).data();
        Cli.output("run", "--x", x, "--w", w, "--b", b, "--groups", "4", "--activation", "clamp:-0.5,0.25", "--out", y);
        float[] clamped = read(y).data();
        int zeros = 0;
        for (int i = 0; i < relu.length; i++) {
            assertTrue(relu[i] >= 0 && clamped[i] >= -0.5f && clamped[i] <= 0.25f);
            zeros += relu[i] == 0 ? 1 : 0;
        }
        assertTrue(zeros > relu.length / 10, "relu zeroed the negative sums");
    }

    @Test
    void theResultDoesNotDependOnTheThreadCount() throws IOException {
        String big = write("big.npy", random(7, 8 * 16 * 16), 1, 8, 16, 16);
        String kernel = write("k.npy", random(8, 8 * 8 * 4 * 4), 8, 8, 4, 4);
        byte[][] results = new byte[3][];
        int[] threads = {1, 2, 3};
        for (int t = 0; t < threads.length; t++) {
            Cli.output("run", "--x", big, "--w", kernel, "--stride", "2", "--padding", "1", "--threads",
                    String.valueOf(threads[t]), "--out", y);
            results[t] = Files.readAllBytes(Path.of(y));
        }
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(results[0], results[2]);
        assertMatchesReference(y, ConvTransposeSpec.builder(8, 8, 4, 4).stride(2).padding(1).bias(false).build(), big,
                kernel, null, null);
    }

    @Test
    void referenceComputesTheSameWithTheScalarReference() throws IOException {
        String out = Cli.output("run", "--x", x, "--w", w, "--b", b, "--groups", "4", "--stride", "2", "--padding", "1",
                "--activation", "tanh", "--reference", "--out", y);
        assertEquals("wrote " + y + ": (2, 12, 9, 10) float32 (scalar reference)\n", out);
        ConvTransposeSpec spec = ConvTransposeSpec.builder(4, 12, 3, 2).groups(4).stride(2).padding(1).build();
        NpyArray in = read(x);
        float[] direct = DirectReference.forward(spec.geometry(in.shape()), in.data(), read(w).data(), read(b).data(),
                Epilogue.tanh());
        assertArrayEquals(direct, read(y).data(), "bit for bit the reference");
    }

    // ------------------------------------------------------------------ errors

    @Test
    void requiredOptionsAreNamed() {
        assertEquals("missing --x (the input .npy)", Cli.error("run", "--w", w, "--out", y));
        assertEquals("missing --w (the weights .npy)", Cli.error("run", "--x", x, "--out", y));
        assertEquals("missing --out (the output .npy to write)", Cli.error("run", "--x", x, "--w", w));
    }

    @Test
    void missingAndUnreadableFilesAreNamed() throws IOException {
        String missing = dir.resolve("missing.npy").toString();
        assertEquals("--x " + missing + ": no such file", Cli.error("run", "--x", missing, "--w", w, "--out", y));
        assertEquals("--b " + dir + ": is a directory", Cli.error("run", "--x", x, "--w", w, "--b", dir.toString(),
                "--out", y));

        Path truncated = dir.resolve("truncated.npy");
        Files.write(truncated, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 100, 0, '{'});
        assertEquals("--w " + truncated + ": truncated: header of 100 bytes claimed, but only 1 bytes follow the prefix",
                Cli.error("run", "--x", x, "--w", truncated.toString(), "--out", y));

        Path text = dir.resolve("text.npy");
        Files.writeString(text, "x,y\n1,2\n3,4\n5,6\n");
        assertTrue(Cli.error("run", "--x", text.toString(), "--w", w, "--out", y)
                .startsWith("--x " + text + ": not a .npy file"));

        Path ints = dir.resolve("i4.npy");
        try (InputStream in = RunCommandTest.class.getResourceAsStream("/npy/i4.npy")) {
            Files.copy(in, ints);
        }
        assertTrue(Cli.error("run", "--x", ints.toString(), "--w", w, "--out", y).startsWith("--x " + ints
                + ": unsupported dtype '<i4'"));
    }

    @Test
    void shapesThatDoNotFitAreExplained() throws IOException {
        String matrix = write("m.npy", random(9, 6), 2, 3);
        assertEquals("--x has shape (2, 3); expected (N, C, D, H, W) for 3-D, (N, C, H, W) for 2-D or (N, C, W) for 1-D",
                Cli.error("run", "--x", matrix, "--w", w, "--out", y));
        String w1 = write("w1.npy", random(10, 4 * 3 * 3), 4, 3, 3);
        assertEquals("--w has shape (4, 3, 3), but a 2-D input (2, 4, 5, 6) needs weights [Cin, Cout/groups, kH, kW]",
                Cli.error("run", "--x", x, "--w", w1, "--out", y));
        String w5 = write("w5.npy", random(11, 5 * 3 * 3 * 2), 5, 3, 3, 2);
        assertEquals("shape mismatch: x (2, 4, 5, 6) has 4 channels, w (5, 3, 3, 2) has 5 input channels"
                + " (weights are [Cin, Cout/groups, kH, kW])", Cli.error("run", "--x", x, "--w", w5, "--out", y));
        assertEquals("bias shape (12) != expected (3)", Cli.error("run", "--x", x, "--w", w, "--b", b, "--out", y));
        assertEquals("bias shape (12) != expected (3)", Cli.error("run", "--x", x, "--w", w, "--b", b, "--reference",
                "--out", y).replace("[", "(").replace("]", ")"));
        assertEquals("groups 3 does not divide inChannels 4", Cli.error("run", "--x", x, "--w", w, "--groups", "3",
                "--out", y));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--output-padding 1                  | output_padding (H) 1 must be smaller than stride 1 or dilation 1",
        "--padding 5                         | output height -3 < 1 for input height 5 (kernel 3, stride 1, dilation 1, pads 5,5, output_padding 0)",
        "--stride 1,2,3                      | stride takes one value or (height, width), got 3 values",
        "--pads 1,1                          | pads takes 4 values (begins, then ends) for a 2-D spec, got 2",
        "--pads 1,1,1,1 --padding 1          | --pads and --padding both give the padding; use one",
        "--auto-pad SAME_UPPER --padding 1   | auto_pad SAME_UPPER cannot be combined with explicit pads/padding",
        "--auto-pad SAME                     | --auto-pad: unknown mode 'SAME' (expected one of [NOTSET, SAME_UPPER, SAME_LOWER, VALID])",
        "--output-shape 9                    | output_shape takes 2 values (height, width) for a 2-D spec, got 1",
        "--threads 0                         | --threads 0 must be at least 1",
        "--threads 2 --reference             | --threads applies to the fast path; --reference runs on one thread",
        "--activation gelu                   | --activation: unknown activation 'gelu' (expected relu, leaky-relu:SLOPE, clamp:MIN,MAX, sigmoid or tanh)",
        "--activation relu:2                 | --activation: relu takes no argument, got 'relu:2'",
        "--activation leaky-relu:steep       | --activation: 'steep' is not a number",
        "--activation clamp:1                | --activation: clamp needs bounds, as clamp:MIN,MAX (e.g. clamp:0,6)",
        "--activation clamp:2,1              | clamp bounds min 2.0, max 1.0 must be numbers with min <= max",
        "--groups x                          | --groups: 'x' is not a whole number",
        "--groups 0                          | --groups 0 must be at least 1",
        "--groups -2                         | --groups -2 must be at least 1",
    })
    void invalidGeometryAndOptionsAreOneLine(String options, String message) {
        // Grouped by 4 unless the case is about --groups, so that the bias-free operands fit.
        String[] base = options.contains("--groups") ? args("run", "--x", x, "--w", w, "--out", y)
                : args("run", "--x", x, "--w", w, "--groups", "4", "--out", y);
        assertEquals(message, Cli.error(concat(base, options.split(" +"))));
        assertFalse(Files.exists(Path.of(y)));
    }

    @Test
    void theOutputMustBeAFileInAnExistingDirectory() {
        String nowhere = dir.resolve("no/such/dir/y.npy").toString();
        assertEquals("--out " + nowhere + ": directory " + dir.resolve("no/such/dir") + " does not exist",
                Cli.error("run", "--x", x, "--w", w, "--out", nowhere));
        assertEquals("--out " + dir + ": is a directory", Cli.error("run", "--x", x, "--w", w, "--out", dir.toString()));
    }

    // ------------------------------------------------------------------ output files

    @Test
    void aFailedRunLeavesNoFileBehindAndAnOldOutputUntouched() throws IOException {
        List<Path> before = listing();
        Cli.error("run", "--x", x, "--w", w, "--padding", "9", "--out", y);
        Cli.error("run", "--x", x, "--w", w, "--b", b, "--out", y);
        assertEquals(before, listing(), "no output and no temporary file");

        byte[] old = "an earlier result".getBytes(StandardCharsets.US_ASCII);
        Files.write(Path.of(y), old);
        Cli.error("run", "--x", x, "--w", w, "--padding", "9", "--out", y);
        assertArrayEquals(old, Files.readAllBytes(Path.of(y)), "an existing output is replaced only on success");
    }

    @Test
    void aSuccessfulRunLeavesOnlyItsOutput() throws IOException {
        Files.writeString(Path.of(y), "an earlier result");
        List<Path> before = listing();
        Cli.output("run", "--x", x, "--w", w, "--groups", "4", "--out", y);
        assertEquals(before, listing(), "the output replaced in place, no temporary file left");
        assertEquals(4, read(y).rank());
        assertFalse(Files.readString(Path.of(y), StandardCharsets.ISO_8859_1).contains("earlier"));
    }

    @Test
    void anOutputThatIsALinkUpdatesTheFileItNames() throws IOException {
        Path target = Files.createDirectory(dir.resolve("results")).resolve("y.npy");
        Files.writeString(target, "an earlier result");
        Path link = Files.createSymbolicLink(dir.resolve("latest.npy"), target);
        Cli.output("run", "--x", x, "--w", w, "--groups", "4", "--out", link.toString());
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals(4, read(target.toString()).rank());
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList(), "no temporary file beside the target");
        }
    }

    @Test
    void devicesAndStreamsAreNeverReplaced() {
        for (String device : new String[] {"/dev/null", "/dev/stdout", "/proc/self/fd/1"}) {
            assertEquals("--out " + device + ": not a regular file; convt writes .npy files",
                    Cli.error("run", "--x", x, "--w", w, "--out", device));
        }
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull));
        assertFalse(Files.isRegularFile(devNull), "still a device");
    }

    @Test
    void anExistingOutputThatIsNotARegularFileIsRefused() throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo.npy");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        assertEquals("--out " + fifo + ": not a regular file; convt writes .npy files",
                Cli.error("run", "--x", x, "--w", w, "--out", fifo.toString()));
        assertFalse(Files.isRegularFile(fifo), "still a fifo");
    }

    @Test
    void aFileThatCannotBeWrittenIsReportedUnderItsOwnNameAndNothingIsLeft() throws IOException {
        // sysfs lets nobody, not even root, create files: the write fails after the computation.
        Path sys = Path.of("/sys");
        assumeTrue(Files.isDirectory(sys.resolve("kernel")));
        String error = Cli.error("run", "--x", x, "--w", w, "--groups", "4", "--out", "/sys/convt-y.npy");
        assertTrue(error.matches("--out /sys/convt-y\\.npy: cannot write: [^/]+"), "names the target alone: " + error);
        try (Stream<Path> files = Files.list(sys)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().contains("convt")).toList());
        }
    }

    @Test
    void anOutputNameOfTheLongestLengthTheFileSystemAllowsCanBeWritten() throws IOException {
        // 255 bytes is the limit of ext4, xfs, btrfs and tmpfs alike.
        String longest = "y".repeat(255 - ".npy".length()) + ".npy";
        Path out = dir.resolve(longest);
        Cli.output("run", "--x", x, "--w", w, "--groups", "4", "--out", out.toString());
        assertEquals(4, read(out.toString()).rank());
        String tooLong = "y" + longest;
        assertEquals("--out " + dir.resolve(tooLong) + ": cannot write: File name too long",
                Cli.error("run", "--x", x, "--w", w, "--groups", "4", "--out", dir.resolve(tooLong).toString()));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInputThatIsNotARegularFileIsRefusedWithoutReadingIt() throws IOException, InterruptedException {
        // Opening a FIFO for reading blocks until something writes to it: the check comes first.
        Path fifo = dir.resolve("fifo.npy");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        String message = ": not a regular file (a FIFO, device or socket); convt reads .npy files";
        assertEquals("--x " + fifo + message, Cli.error("run", "--x", fifo.toString(), "--w", w, "--out", y));
        assertEquals("--b " + fifo + message, Cli.error("run", "--x", x, "--w", w, "--b", fifo.toString(), "--out", y));
        assertEquals("--values " + fifo + message, Cli.error("explain", "--values", fifo.toString()));
        assertFalse(Files.exists(Path.of(y)));
    }

    @Test
    void aPathWithANulCharacterNamesTheOption() {
        assertEquals("--x a?b.npy: a path cannot contain a NUL character",
                Cli.error("run", "--x", "a\0b.npy", "--w", w, "--out", y));
        assertEquals("--out a?b.npy: a path cannot contain a NUL character",
                Cli.error("run", "--x", x, "--w", w, "--out", "a\0b.npy"));
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
