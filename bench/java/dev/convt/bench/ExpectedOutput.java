package dev.convt.bench;

import dev.convt.Epilogue;
import dev.convt.reference.DirectReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A layer's output from the project's {@link DirectReference}, summed in double, with the size of
 * the terms summed into each element, so a result can be judged by a tolerance that scales with
 * what float32 rounding can do to it.
 *
 * @param values the reference output, summed in double (bias included)
 * @param magnitudes {@code |bias| + sum |x * w|} per output element
 */
public record ExpectedOutput(double[] values, double[] magnitudes) {

    /** Relative float32 error allowed against the magnitude of the summed terms. */
    static final double RELATIVE_TOLERANCE = 1e-4;
    /** Absolute slack for outputs whose terms are all (nearly) zero. */
    static final double ABSOLUTE_TOLERANCE = 1e-6;

    /**
     * System property naming a directory where forks share expected outputs within one suite run:
     * {@link BenchSuite} sets it, so each layer's reference is computed by its first fork only
     * (on the large layers that saves seconds per fork).
     */
    static final String CACHE_PROPERTY = "convt.bench.expectedCache";

    /**
     * The expected output from the suite run's cache if {@link #CACHE_PROPERTY} is set (computing
     * and storing it on a miss), else freshly computed.
     */
    public static ExpectedOutput forLayer(LayerData data) {
        double[][] pair = cached(data.layer().id(), () -> {
            ExpectedOutput e = of(data);
            return new double[][] {e.values(), e.magnitudes()};
        });
        return new ExpectedOutput(pair[0], pair[1]);
    }

    /**
     * Two arrays of equal length from the suite run's cache if {@link #CACHE_PROPERTY} is set
     * (computing and storing them on a miss), else freshly computed.
     *
     * @param name the cache entry, unique within a suite run
     * @param compute makes the two arrays
     * @return the two arrays
     */
    static double[][] cached(String name, Supplier<double[][]> compute) {
        String cache = System.getProperty(CACHE_PROPERTY);
        if (cache == null) {
            return compute.get();
        }
        Path file = Path.of(cache, name + ".f64");
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            double[][] pair = compute.get();
            write(file, pair);
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Through a mapping rather than a heap copy of the file: a 3-D layer's pair is hundreds of MB,
     * and the forks' heap is fixed at 1 GB.
     */
    private static double[][] read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            DoubleBuffer stored = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                    .order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            double[] first = new double[stored.remaining() / 2];
            double[] second = new double[first.length];
            stored.get(first).get(second);
            return new double[][] {first, second};
        }
    }

    /** Writes beside the target and renames, so a reader never sees half a file; mapped, as {@link #read}. */
    private static void write(Path file, double[][] pair) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) (pair[0].length + pair[1].length) * Double.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(pair[0]).put(pair[1]);
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Computes the reference output of {@code data}'s layer on {@code data}'s input. */
    public static ExpectedOutput of(LayerData data) {
        DirectReference.Result reference = DirectReference.forwardWithMagnitudes(data.layer().geometry(), data.input(),
                data.weights(), data.bias(), Epilogue.NONE);
        return new ExpectedOutput(reference.exact(), reference.magnitudes());
    }

    /**
     * Throws unless every element of {@code actual} is within tolerance, so a fast wrong answer
     * never reaches the report.
     *
     * @param implementation names the implementation in the failure message
     * @param layer names the layer in the failure message
     * @param actual the output under test, in C order
     * @throws IllegalStateException describing the first and the worst mismatches
     */
    public void check(String implementation, SuiteLayer layer, float[] actual) {
        double[] allowed = new double[magnitudes.length];
        Arrays.setAll(allowed, i -> RELATIVE_TOLERANCE * magnitudes[i] + ABSOLUTE_TOLERANCE);
        check(implementation + " on " + layer.id() + " " + layer.shapes(), values, allowed, actual,
                "|diff| <= " + RELATIVE_TOLERANCE + " * sum|x*w| + " + ABSOLUTE_TOLERANCE);
    }

    /**
     * Throws unless every element of {@code actual} is within {@code allowed} of {@code values}.
     *
     * @param subject what ran on what, for the failure message
     * @param values the expected output
     * @param allowed the largest difference allowed per element
     * @param actual the output under test, in C order
     * @param bound how {@code allowed} was made, for the failure message
     * @throws IllegalStateException describing the first and the worst mismatches
     */
    static void check(String subject, double[] values, double[] allowed, float[] actual, String bound) {
        if (actual.length != values.length) {
            throw new IllegalStateException(subject + ": " + actual.length + " output elements, expected "
                    + values.length);
        }
        int bad = 0;
        int first = -1;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.length; i++) {
            double ratio = Math.abs(actual[i] - values[i]) / allowed[i];
            // Written so that NaN in the output counts as a mismatch.
            if (!(ratio <= 1)) {
                bad++;
                if (first < 0) {
                    first = i;
                }
                if (!(ratio <= worstRatio)) {
                    worstRatio = ratio;
                    worst = i;
                }
            }
        }
        if (bad > 0) {
            throw new IllegalStateException(subject + " is wrong: " + bad + " of " + actual.length + " outputs outside "
                    + bound + "; first " + describe(first, values, allowed, actual) + ", worst "
                    + describe(worst, values, allowed, actual));
        }
    }

    private static String describe(int i, double[] values, double[] allowed, float[] actual) {
        return "[" + i + "] = " + actual[i] + " vs " + values[i] + " (allowed " + allowed[i] + ")";
    }
}
