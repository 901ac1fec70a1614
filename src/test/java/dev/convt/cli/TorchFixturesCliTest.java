package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.fixtures.TorchFixtures;
import dev.convt.npy.Npy;
import dev.convt.npy.NpyArray;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PyTorch golden case through the command line, as a user would run it: the case's arrays
 * written to {@code .npy} files, its parameters as options, its output read back and compared
 * with PyTorch's.
 */
class TorchFixturesCliTest {

    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> fastPathMatchesPyTorch() {
        return TorchFixtures.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c, false)));
    }

    @TestFactory
    Stream<DynamicTest> referenceMatchesPyTorch() {
        return TorchFixtures.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c, true)));
    }

    private static void check(TorchFixtures.Case c, boolean reference) throws IOException {
        Path caseDir = Files.createDirectories(dir.resolve(c.name() + (reference ? "-reference" : "")));
        Path x = caseDir.resolve("x.npy");
        Path w = caseDir.resolve("w.npy");
        Path y = caseDir.resolve("y.npy");
        Npy.write(x, c.input(), c.inputShape());
        Npy.write(w, c.weights(), c.weightShape());
        List<String> args = new ArrayList<>(List.of("run", "--x", x.toString(), "--w", w.toString(), "--out",
                y.toString()));
        if (c.bias() != null) {
            Path b = caseDir.resolve("b.npy");
            Npy.write(b, c.bias(), c.bias().length);
            args.addAll(List.of("--b", b.toString()));
        }
        boolean oneDimensional = c.parameter("dims") == 1;
        for (String[] option : new String[][] {{"--stride", "sH", "sW"}, {"--padding", "pH", "pW"},
            {"--output-padding", "opH", "opW"}, {"--dilation", "dH", "dW"}}) {
            args.add(option[0]);
            args.add(oneDimensional ? String.valueOf(c.parameter(option[2]))
                    : c.parameter(option[1]) + "," + c.parameter(option[2]));
        }
        args.addAll(List.of("--groups", String.valueOf(c.parameter("groups"))));
        if (reference) {
            args.add("--reference");
        } else {
            // Both the single-threaded loop and the task runner, alternately.
            args.addAll(List.of("--threads", String.valueOf(1 + c.name().length() % 2)));
        }

        Cli.output(args.toArray(String[]::new));

        NpyArray actual = Npy.read(y);
        assertArrayEquals(c.expectedShape(), actual.shape(), () -> "output shape of " + c);
        // PyTorch and convt each lie within the float32 bound of the exact sum, so within twice it of each other.
        DirectReference.Result exact = DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                c.bias(), null);
        int terms = Tolerance.maxTerms(c.spec());
        for (int i = 0; i < actual.data().length; i++) {
            double tolerance = 2 * Tolerance.bound(exact.magnitudes()[i], terms);
            double error = Math.abs(actual.data()[i] - c.expected()[i]);
            if (!(error <= tolerance)) {
                fail(c + ": element " + i + " is " + actual.data()[i] + ", PyTorch " + c.expected()[i] + " (error "
                        + error + " > " + tolerance + ")");
            }
        }
    }
}
