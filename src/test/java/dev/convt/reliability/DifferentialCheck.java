package dev.convt.reliability;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Runs one {@link KernelCase} through the fast path and compares it with {@link DirectReference}:
 * every output element within the float32 summation bound of the exact double sum (then through
 * the epilogue), and a multi-threaded run bitwise equal to the single-threaded one.
 */
final class DifferentialCheck {

    /**
     * A NaN with a payload no arithmetic produces: an element still holding it was never written.
     */
    static final float UNWRITTEN = Float.intBitsToFloat(0x7fc0_dead);

    /** What one case covered. */
    record Outcome(long elements, boolean threadsCompared, String plan) {}

    private DifferentialCheck() {}

    /**
     * Checks one case.
     *
     * @return the number of output elements compared with the reference, and the plan that ran
     * @throws AssertionError naming the seed, the case and the first wrong element
     */
    static Outcome check(KernelCase c) {
        ConvTransposeGeometry g = c.geometry();
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), c.bias(), null);
        float[] single;
        float[] parallel = null;
        String plan;
        try (Arena arena = Arena.ofShared()) {
            ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(c.spec()).weights(c.weights()).epilogue(c.epilogue());
            if (c.bias() != null) {
                b.bias(c.bias());
            }
            plan = planName(c, g, arena);
            try (ConvTransposeLayer layer = b.build()) {
                Tensor x = place(arena, c.byteOffset(), g.inputShape());
                x.copyFrom(c.input());
                Tensor y = place(arena, c.byteOffset(), g.outputShape());
                y.fill(UNWRITTEN);
                layer.forward(x, y);
                single = y.toArray();
                if (c.threads() > 1) {
                    y.fill(UNWRITTEN);
                    layer.forward(x, y, c.threads());
                    parallel = y.toArray();
                }
            }
        }
        compare(c, expected, single);
        if (parallel != null) {
            for (int i = 0; i < single.length; i++) {
                if (Float.floatToRawIntBits(single[i]) != Float.floatToRawIntBits(parallel[i])) {
                    throw new AssertionError(failure(c, "with " + c.threads() + " threads element " + describe(g, i)
                            + " is " + parallel[i] + ", single-threaded " + single[i] + " (must be bitwise equal)"));
                }
            }
        }
        return new Outcome(single.length, parallel != null, plan);
    }

    private static String planName(KernelCase c, ConvTransposeGeometry g, Arena arena) {
        MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.weights());
        MemorySegment b = c.bias() == null ? null : arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.bias());
        return ExecutionPlan.create(g, PackedWeights.pack(c.spec(), w, b, null, arena), c.epilogue()).toString();
    }

    /** A tensor whose first byte is {@code offset} bytes past a 64-byte boundary. */
    private static Tensor place(Arena arena, int offset, long[] shape) {
        long bytes = Arrays.stream(shape).reduce(1, Math::multiplyExact) * Float.BYTES;
        MemorySegment s = arena.allocate(bytes + offset, Tensor.ALIGNMENT).asSlice(offset, bytes);
        return Tensor.wrap(s, shape);
    }

    /**
     * Compares a single-threaded result of case {@code c} with the reference.
     *
     * @throws AssertionError naming the seed, the case and the first wrong element
     */
    static void compare(KernelCase c, DirectReference.Result expected, float[] actual) {
        ConvTransposeGeometry g = c.geometry();
        double lipschitz = lipschitz(c.epilogue());
        int terms = Tolerance.maxTerms(c.spec());
        for (int i = 0; i < actual.length; i++) {
            double exact = activate(c.epilogue(), expected.exact()[i]);
            double allowed = lipschitz * Tolerance.bound(expected.magnitudes()[i], terms) + slack(c.epilogue(), exact);
            double error = Math.abs(actual[i] - exact);
            if (!(error <= allowed)) {
                String what = Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(UNWRITTEN)
                        ? "was never written" : "is " + actual[i];
                throw new AssertionError(failure(c, "element " + describe(g, i) + " " + what + ", expected " + exact
                        + " (pre-activation " + expected.exact()[i] + ", error " + error + " > allowed " + allowed + ")"));
            }
        }
    }

    /** The epilogue in double, as the reference defines it, applied to the exact sum. */
    static double activate(Epilogue e, double x) {
        return switch (e) {
            case Epilogue.Identity i -> x;
            case Epilogue.Relu r -> x < 0 ? 0 : x;
            case Epilogue.LeakyRelu l -> x < 0 ? l.slope() * x : x;
            case Epilogue.Clamp cl -> x < cl.min() ? cl.min() : (x > cl.max() ? cl.max() : x);
            case Epilogue.Sigmoid s -> 1 / (1 + Math.exp(-x));
            case Epilogue.Tanh t -> Math.tanh(x);
        };
    }

    /** How much the epilogue can stretch an error of its input. */
    private static double lipschitz(Epilogue e) {
        return switch (e) {
            case Epilogue.LeakyRelu l -> Math.max(1, Math.abs(l.slope()));
            case Epilogue.Sigmoid s -> 0.25;
            default -> 1;
        };
    }

    /**
     * Rounding of the epilogue itself: one multiply for leaky ReLU; for sigmoid and tanh the Vector
     * API's exp/tanh (a few ulps) and the float divide.
     */
    private static double slack(Epilogue e, double value) {
        float v = (float) value;
        return switch (e) {
            case Epilogue.LeakyRelu l -> Math.ulp(v);
            case Epilogue.Sigmoid s -> 8 * Math.ulp(v) + Float.MIN_NORMAL;
            case Epilogue.Tanh t -> 8 * Math.ulp(v) + Float.MIN_NORMAL;
            default -> 0;
        };
    }

    private static String describe(ConvTransposeGeometry g, int flat) {
        int w = g.width().out();
        int h = g.height().out();
        int c = g.spec().outChannels();
        return flat + " (n " + flat / (w * h * c) + ", c " + flat / (w * h) % c + ", y " + flat / w % h + ", x " + flat % w + ")";
    }

    private static String failure(KernelCase c, String what) {
        String replay = c.seed() == KernelCase.NO_SEED ? ""
                : "\n  reproduce: ./mvnw -B test -Dtest=KernelDifferentialFuzzTest -Dconvt.fuzz.replay=" + c.seed();
        return c + ": " + what + replay;
    }
}
