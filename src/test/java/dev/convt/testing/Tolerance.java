package dev.convt.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.reference.DirectReference;

/**
 * How far a float32 transposed convolution may be from the exact result: the classic bound for
 * a float sum of {@code n} terms, {@code |computed - exact| <= n * 2^-24 * sum |term|}, with
 * {@code n} the most terms any output element can have plus the bias and the rounding of the
 * products. A wrong or missing tap changes an element by about one whole term, which for the
 * small channel counts the tests use is far above this bound, so it still catches real errors.
 */
public final class Tolerance {

    private static final double UNIT_ROUNDOFF = 0x1p-24;

    private Tolerance() {}

    /**
     * Upper bound on the terms summed into one output element.
     *
     * @param spec the transposed convolution
     * @return {@code Cin/groups} times the kernel taps, plus 2
     */
    public static int maxTerms(ConvTransposeSpec spec) {
        return Math.toIntExact(spec.inChannels() / spec.groups() * spec.kernelTaps() + 2);
    }

    /**
     * The allowed error of one element.
     *
     * @param magnitude {@code |bias| + sum |x*w|} of that element
     * @param terms from {@link #maxTerms}
     * @return the bound, never below the smallest normal float (exact zeros stay comparable)
     */
    public static double bound(double magnitude, int terms) {
        return Math.max(terms * UNIT_ROUNDOFF * magnitude, Float.MIN_NORMAL);
    }

    /**
     * Asserts that {@code actual} (a result without epilogue) is within {@link #bound} of the
     * exact result, element by element, and reports the first element that is not with its index and all numbers.
     *
     * @param what names the implementation and case in the failure message
     * @param expected the reference result with exact sums and magnitudes
     * @param spec the transposed convolution (for the term count)
     * @param actual the float32 result to check
     */
    public static void assertClose(String what, DirectReference.Result expected, ConvTransposeSpec spec, float[] actual) {
        double[] exact = expected.exact();
        if (actual.length != exact.length) {
            fail(what + ": " + actual.length + " elements, expected " + exact.length);
        }
        int terms = maxTerms(spec);
        for (int i = 0; i < exact.length; i++) {
            double tolerance = bound(expected.magnitudes()[i], terms);
            double error = Math.abs(actual[i] - exact[i]);
            if (!(error <= tolerance)) {
                fail(what + ": element " + i + " is " + actual[i] + ", exact " + exact[i] + " (error " + error
                        + " > tolerance " + tolerance + ", magnitude " + expected.magnitudes()[i] + ")");
            }
        }
    }

    /**
     * Asserts that {@code actual}, the fast path's result for case {@code c}, is within
     * {@link #bound} of the exact result passed through the epilogue (stretched by the epilogue's
     * Lipschitz constant, plus the epilogue's own rounding), element by element.
     *
     * @param c the case
     * @param expected the reference result with exact sums and magnitudes
     * @param actual the result to check
     * @throws AssertionError naming the case and the first wrong element, or one never written
     *     (still {@link RandomCase#UNWRITTEN})
     */
    public static void assertMatches(RandomCase c, DirectReference.Result expected, float[] actual) {
        ConvTransposeGeometry g = c.geometry();
        if (actual.length != expected.exact().length) {
            fail(c + ": " + actual.length + " elements, expected " + expected.exact().length);
        }
        double lipschitz = lipschitz(c.epilogue());
        int terms = maxTerms(c.spec());
        for (int i = 0; i < actual.length; i++) {
            double exact = activate(c.epilogue(), expected.exact()[i]);
            double allowed = lipschitz * bound(expected.magnitudes()[i], terms) + slack(c.epilogue(), exact);
            double error = Math.abs(actual[i] - exact);
            if (!(error <= allowed)) {
                String what = Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(RandomCase.UNWRITTEN)
                        ? "was never written" : "is " + actual[i];
                fail(c + ": element " + describe(g, i) + " " + what + ", expected " + exact + " (pre-activation "
                        + expected.exact()[i] + ", error " + error + " > allowed " + allowed + ")");
            }
        }
    }

    /**
     * Asserts that two results are equal bit for bit.
     *
     * @param expected the first result
     * @param actual the second result
     * @param what names the case in the failure message
     */
    public static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " differs: " + expected[i] + " vs " + actual[i] + " (must be bitwise equal)");
            }
        }
    }

    /** The epilogue in double, as the reference defines it. */
    private static double activate(Epilogue e, double x) {
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
        long plane = g.outputPlane();
        int c = g.spec().outChannels();
        StringBuilder at = new StringBuilder();
        long position = flat % plane;
        for (int a = g.axes().size() - 1; a >= 0; a--) {
            int out = g.axes().get(a).out();
            at.insert(0, ", " + "zyx".charAt(3 - g.axes().size() + a) + " " + position % out);
            position /= out;
        }
        return flat + " (n " + flat / plane / c + ", c " + flat / plane % c + at + ")";
    }
}
