package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.fixtures.TorchFixtures3d;
import dev.convt.npy.Npy;
import dev.convt.npy.NpyArray;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch 3-D golden cases through {@code convt run} with rank-5 {@code .npy} files and
 * per-axis options {@code D,H,W}, on the fast path's entry and with {@code --reference}; and the
 * ONNX forms of the padding, {@code --pads} with 6 values and {@code --output-shape D,H,W}.
 */
class TorchFixtures3dCliTest {

    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> layerAndReferenceMatchPyTorch() {
        return TorchFixtures3d.all().stream().flatMap(c -> Stream.of(
                DynamicTest.dynamicTest(c.name(), () -> check(c, false)),
                DynamicTest.dynamicTest(c.name() + " --reference", () -> check(c, true))));
    }

    private static String axes(int[] v) {
        return Arrays.stream(v).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    private static Path files(TorchFixtures3d.Case c, String name, List<String> args) throws IOException {
        Path caseDir = Files.createDirectories(dir.resolve(name));
        Path x = caseDir.resolve("x.npy");
        Path w = caseDir.resolve("w.npy");
        Path y = caseDir.resolve("y.npy");
        Npy.write(x, c.input(), c.inputShape());
        Npy.write(w, c.weights(), c.spec().weightShape());
        args.addAll(List.of("run", "--x", x.toString(), "--w", w.toString(), "--out", y.toString()));
        if (c.bias() != null) {
            Path b = caseDir.resolve("b.npy");
            Npy.write(b, c.bias(), c.bias().length);
            args.addAll(List.of("--b", b.toString()));
        }
        args.addAll(List.of("--groups", String.valueOf(c.parameter("groups"))));
        return y;
    }

    private static void check(TorchFixtures3d.Case c, boolean reference) throws IOException {
        List<String> args = new ArrayList<>();
        Path y = files(c, c.name() + (reference ? "-reference" : ""), args);
        args.addAll(List.of("--stride", axes(c.perAxis("s")), "--padding", axes(c.perAxis("p")), "--output-padding",
                axes(c.perAxis("op")), "--dilation", axes(c.perAxis("d"))));
        args.addAll(reference ? List.of("--reference") : List.of("--threads", String.valueOf(1 + c.name().length() % 2)));
        Cli.output(args.toArray(String[]::new));
        assertMatchesPyTorch(c, Npy.read(y));
    }

    private static void assertMatchesPyTorch(TorchFixtures3d.Case c, NpyArray actual) {
        assertArrayEquals(c.expectedShape(), actual.shape(), () -> "output shape of " + c);
        DirectReference.Result exact = DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                c.bias(), null);
        int terms = Tolerance.maxTerms(c.spec());
        for (int i = 0; i < actual.data().length; i++) {
            // PyTorch's values are float64: convt's float32 lies within the float32 bound of them.
            double tolerance = Tolerance.bound(exact.magnitudes()[i], terms);
            double error = Math.abs(actual.data()[i] - c.expected()[i]);
            if (!(error <= tolerance)) {
                fail(c + ": element " + i + " is " + actual.data()[i] + ", PyTorch " + c.expected()[i] + " (error "
                        + error + " > " + tolerance + ")");
            }
        }
    }

    /** PyTorch's symmetric padding as ONNX pads, begins then ends: the same output. */
    @Test
    void sixPadsGiveWhatPaddingGives() throws IOException {
        for (TorchFixtures3d.Case c : TorchFixtures3d.all().subList(0, 12)) {
            List<String> args = new ArrayList<>();
            Path y = files(c, c.name() + "-pads", args);
            int[] p = c.perAxis("p");
            args.addAll(List.of("--stride", axes(c.perAxis("s")), "--pads", axes(p) + "," + axes(p), "--output-padding",
                    axes(c.perAxis("op")), "--dilation", axes(c.perAxis("d"))));
            Cli.output(args.toArray(String[]::new));
            assertMatchesPyTorch(c, Npy.read(y));
        }
    }

    /** {@code --output-shape D,H,W} of PyTorch's own output size, under NOTSET: the padding follows, the same output. */
    @Test
    void outputShapeOfThreeValuesGivesPyTorchsOutput() throws IOException {
        int checked = 0;
        for (TorchFixtures3d.Case c : TorchFixtures3d.all()) {
            int[] op = c.perAxis("op");
            // ONNX derives pads from output_shape as total = natural - out, begin = total - total/2:
            // PyTorch's symmetric padding p with output padding 0 is that split exactly.
            if (Arrays.stream(op).anyMatch(v -> v != 0)) {
                continue;
            }
            List<String> args = new ArrayList<>();
            Path y = files(c, c.name() + "-output-shape", args);
            long[] out = c.expectedShape();
            args.addAll(List.of("--stride", axes(c.perAxis("s")), "--dilation", axes(c.perAxis("d")), "--output-shape",
                    out[2] + "," + out[3] + "," + out[4]));
            Cli.output(args.toArray(String[]::new));
            assertMatchesPyTorch(c, Npy.read(y));
            checked++;
        }
        if (checked < 10) {
            fail("only " + checked + " 3-D fixtures without output padding");
        }
    }

    @Test
    void threeDimensionalOptionsAreCheckedPerAxis() throws IOException {
        TorchFixtures3d.Case c = TorchFixtures3d.all().get(0);
        List<String> args = new ArrayList<>();
        files(c, "bad-pads", args);
        List<String> pads = new ArrayList<>(args);
        pads.addAll(List.of("--pads", "1,1,1,1"));
        assertEquals("pads takes 6 values (begins, then ends) for a 3-D spec, got 4", Cli.error(pads.toArray(String[]::new)));
        List<String> shape = new ArrayList<>(args);
        shape.addAll(List.of("--output-shape", "4,4"));
        assertEquals("output_shape takes 3 values (depth, height, width) for a 3-D spec, got 2",
                Cli.error(shape.toArray(String[]::new)));
        List<String> stride = new ArrayList<>(args);
        stride.addAll(List.of("--stride", "1,0,1"));
        assertEquals("stride (H) 0 must be at least 1", Cli.error(stride.toArray(String[]::new)));
    }
}
