package dev.convt.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeSpec;
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
     * @return {@code Cin/groups * kH * kW + 2}
     */
    public static int maxTerms(ConvTransposeSpec spec) {
        return spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW() + 2;
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
}
