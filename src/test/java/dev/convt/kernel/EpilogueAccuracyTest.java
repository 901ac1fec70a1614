package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.Epilogue;
import java.util.stream.LongStream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * Every fused epilogue against its scalar definition, over float bit patterns: all 2^32 with
 * {@code -Dconvt.epilogue.exhaustive=true}, otherwise every 1021st pattern (4.2 million, spread
 * over every exponent and sign) plus every float of the ranges where an approximation changes
 * form. The piecewise epilogues (identity, ReLU, leaky ReLU, clamp) must equal their definitions
 * bit for bit, NaN payloads included; sigmoid and tanh must give NaN exactly for NaN and otherwise
 * lie within {@link #ULP_BOUND} units in the last place of the exact function (computed in
 * double, whose error is far below a float ulp), where an ulp is the spacing of floats at the
 * exact value, down to the subnormal spacing 2^-149.
 *
 * <p>The full run is opt-in because the fused sigmoid and tanh cost about 100 ns per float in this
 * harness (C2 does not inline them into the test's loop), some 15 minutes of CPU for both.
 */
class EpilogueAccuracyTest {

    /** The documented bound for sigmoid and tanh, in float ulps of the exact value. */
    static final double ULP_BOUND = 4;

    private static final boolean EXHAUSTIVE = Boolean.getBoolean("convt.epilogue.exhaustive");
    /** Distance between patterns checked: odd, so the patterns visited are all distinct. */
    private static final int STEP = EXHAUSTIVE ? 1 : 1021;
    private static final long PATTERNS = EXHAUSTIVE ? 1L << 32 : (1L << 32) / STEP;

    private static final VectorSpecies<Float> FLOATS = TileKernel.SPECIES;
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, FLOATS.vectorShape());
    private static final int LANES = FLOATS.length();
    private static final int CHUNK = 1 << 16;
    private static final IntVector IOTA = IntVector.zero(VectorSpecies.of(int.class, FLOATS.vectorShape())).addIndex(1);

    /** Patterns {@code start + i * step} for {@code i < count}, in 32-bit arithmetic. */
    record Patterns(int start, int step, long count) {
        static Patterns spread() {
            return new Patterns(0, STEP, PATTERNS);
        }

        /** {@return every float from {@code from} to {@code to}, of one sign} */
        static Patterns between(float from, float to) {
            int a = Float.floatToRawIntBits(from);
            int b = Float.floatToRawIntBits(to);
            return new Patterns(Math.min(a, b), 1, Math.abs((long) b - a) + 1);
        }

        int bits(long i) {
            return start + (int) i * step;
        }

        FloatVector vector(long i) {
            return IOTA.mul(step).add(bits(i)).reinterpretAsFloats();
        }

        LongStream chunks() {
            return LongStream.range(0, Math.ceilDiv(count, CHUNK)).parallel();
        }
    }

    @Test
    void piecewiseEpiloguesEqualTheirScalarDefinitionsBitForBit() {
        for (Epilogue e : new Epilogue[] {Epilogue.NONE, Epilogue.relu(), Epilogue.leakyRelu(-0.01f),
                Epilogue.clamp(-0f, 6f)}) {
            VectorEpilogue v = VectorEpilogue.of(e);
            Patterns p = Patterns.spread();
            String mismatch = p.chunks().mapToObj(chunk -> firstMismatch(e, v, p, chunk)).filter(m -> m != null)
                    .findFirst().orElse(null);
            assertEquals(null, mismatch);
        }
    }

    /** {@return the first pattern of chunk {@code chunk} on which {@code v} and {@code e} differ in any bit, or null} */
    private static String firstMismatch(Epilogue e, VectorEpilogue v, Patterns p, long chunk) {
        float[] out = new float[CHUNK];
        long first = chunk * CHUNK;
        int n = (int) Math.min(CHUNK, p.count() - first);
        for (int i = 0; i < n; i += LANES) {
            p.vector(first + i).intoArray(out, i);
        }
        v.applyTo(out, 0, n);
        for (int i = 0; i < n; i++) {
            float x = Float.intBitsToFloat(p.bits(first + i));
            if (Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(e.apply(x))) {
                return e + " of " + x + " (0x" + Integer.toHexString(p.bits(first + i)) + "): " + out[i]
                        + ", definition " + e.apply(x);
            }
        }
        return null;
    }

    @Test
    void sigmoidIsWithinTheBound() {
        VectorEpilogue v = VectorEpilogue.of(Epilogue.sigmoid());
        Reference exact = x -> {
            DoubleVector one = x.broadcast(1);
            return one.div(x.neg().lanewise(VectorOperators.EXP).add(one));
        };
        // Down to where the result underflows to 0, which the clamped exp once stopped at 6.05e-39.
        assertWithinBound("sigmoid", v, exact, Patterns.spread(), Patterns.between(-80f, -110f),
                Patterns.between(80f, 110f), Patterns.between(-1f, -2f));
    }

    @Test
    void tanhIsWithinTheBound() {
        VectorEpilogue v = VectorEpilogue.of(Epilogue.tanh());
        Reference exact = x -> x.lanewise(VectorOperators.TANH);
        // Either side of the switch from the series to the exp formula, and where tanh reaches 1.
        assertWithinBound("tanh", v, exact, Patterns.spread(), Patterns.between(0.5f, 0.6f),
                Patterns.between(-0.5f, -0.6f), Patterns.between(8f, 10f));
    }

    private static void assertWithinBound(String name, VectorEpilogue v, Reference exact, Patterns... patterns) {
        for (Patterns p : patterns) {
            double worst = maxUlpError(v, exact, p);
            System.out.printf("[convt.epilogue] %s: at most %.3f ulp over %s%n", name, worst, p);
            assertTrue(worst <= ULP_BOUND, name + " is " + worst + " ulp from the exact value in " + p);
        }
    }

    @Test
    void sigmoidReachesZeroAndTheSubnormalsLikeItsDefinition() {
        VectorEpilogue v = VectorEpilogue.of(Epilogue.sigmoid());
        float[] xs = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -200f, -104f, -100f, -95f, -88.5f, -88f, -87.5f};
        for (float x : xs) {
            float got = applied(v, FloatVector.broadcast(FLOATS, x)).lane(0);
            float definition = Epilogue.sigmoid().apply(x);
            assertTrue(Math.abs(got - definition) <= Math.ulp(definition),
                    "sigmoid(" + x + ") = " + got + ", definition " + definition);
        }
        assertEquals(0f, applied(v, FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY)).lane(0));
        assertEquals(1f, applied(v, FloatVector.broadcast(FLOATS, Float.POSITIVE_INFINITY)).lane(0));
    }

    interface Reference {
        DoubleVector apply(DoubleVector x);
    }

    /**
     * {@return the largest error of {@code v} over the non-NaN patterns of {@code p}, in float ulps
     * of the exact value} NaN inputs must give NaN, and non-NaN inputs must not.
     */
    private static double maxUlpError(VectorEpilogue v, Reference exact, Patterns p) {
        return p.chunks().mapToDouble(chunk -> {
            double worst = 0;
            long first = chunk * CHUNK;
            long end = Math.min(first + CHUNK, p.count());
            for (long i = first; i < end; i += LANES) {
                FloatVector x = p.vector(i);
                FloatVector y = applied(v, x);
                if (!x.test(VectorOperators.IS_NAN).eq(y.test(VectorOperators.IS_NAN)).allTrue()) {
                    throw new AssertionError("NaN in and out differ: " + x + " -> " + y);
                }
                for (int part = 0; part < 2; part++) {
                    DoubleVector xd = (DoubleVector) x.convertShape(VectorOperators.F2D, DOUBLES, part);
                    DoubleVector yd = (DoubleVector) y.convertShape(VectorOperators.F2D, DOUBLES, part);
                    DoubleVector ref = exact.apply(xd);
                    DoubleVector error = yd.sub(ref).abs().div(floatUlp(ref));
                    // NaN lanes were checked above; exact infinities (0 error) give NaN here too.
                    error = error.blend(0, error.test(VectorOperators.IS_NAN));
                    worst = Math.max(worst, error.reduceLanes(VectorOperators.MAX));
                }
            }
            return worst;
        }).max().orElseThrow();
    }

    /** {@return {@code v} applied to the lanes of {@code x}, through the array loop the plans call} */
    private static FloatVector applied(VectorEpilogue v, FloatVector x) {
        float[] a = x.toArray();
        v.applyTo(a, 0, a.length);
        return FloatVector.fromArray(FLOATS, a, 0);
    }

    /** {@return the spacing of floats at {@code |d|}: 2^(exponent - 23), at least 2^-149} */
    private static DoubleVector floatUlp(DoubleVector d) {
        LongVector exponent = d.abs().reinterpretAsLongs().lanewise(VectorOperators.LSHR, 52);
        LongVector field = exponent.max(1023 - 126).sub(23);
        return field.lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    }
}
