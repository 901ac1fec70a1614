package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.reference.DirectReference;
import dev.convt.testing.ChildJvm;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IEEE float behaviour of the fast path, as PyTorch has it: a NaN or an infinity in an input,
 * weight or bias reaches exactly the outputs the definition says it reaches (the products that
 * exist, and no others: taps outside the image contribute nothing, not {@code 0 * inf}); the
 * epilogues map NaN and infinities like their scalar definitions; and subnormal numbers are
 * neither flushed to zero nor rounded differently.
 */
class NumericsTest {

    private static final int CASES = 60;
    /** Subnormal arithmetic is slow on some processors; fewer cases keep the default run short. */
    private static final int SUBNORMAL_CASES = 20;
    private static final float[] NON_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    private static float[] forward(RandomCase c, float[] input, float[] weights, float[] bias) {
        ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(c.spec()).weights(weights);
        if (bias != null) {
            b.bias(bias);
        }
        try (Arena arena = Arena.ofConfined(); ConvTransposeLayer layer = b.build()) {
            Tensor x = Tensor.of(arena, input, c.inputShape());
            Tensor y = Tensor.allocate(arena, layer.outputShape(c.inputShape()));
            y.fill(RandomCase.UNWRITTEN);
            layer.forward(x, y);
            return y.toArray();
        }
    }

    /**
     * Every element is NaN exactly where the double reference is NaN, the same infinity where it
     * is infinite, and within the summation bound elsewhere.
     */
    private static void assertSameNonFinitePattern(RandomCase c, String where, float[] input, float[] weights, float[] bias) {
        ConvTransposeGeometry g = c.geometry();
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, input, weights, bias, null);
        float[] actual = forward(c, input, weights, bias);
        int terms = Tolerance.maxTerms(c.spec());
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(RandomCase.UNWRITTEN)) {
                fail(c + " with " + where + ": element " + i + " was never written");
            }
            double e = expected.exact()[i];
            boolean ok = Double.isNaN(e) ? Float.isNaN(actual[i])
                    : Double.isInfinite(e) ? actual[i] == e
                    : Math.abs(actual[i] - e) <= Tolerance.bound(expected.magnitudes()[i], terms);
            if (!ok) {
                fail(c + " with " + where + ": element " + i + " is " + actual[i] + ", the definition gives " + e);
            }
        }
    }

    /** The 3-D cases of each test, after its {@link #CASES} 1-D and 2-D ones. */
    private static final int CASES_3D = 12;

    /** A case without epilogue on one thread: 1-D or 2-D for a non-negative seed, 3-D of a tiled plan's shape for a negative one. */
    private static RandomCase plainCase(long seed) {
        RandomCase c = RandomCase.generate(seed, seed < 0 ? RandomCase.Options.TILED_3D : RandomCase.Options.FUZZ);
        return new RandomCase(c.spec(), c.inputShape(), c.input(), c.weights(), c.bias(), Epilogue.NONE, 1, 0, seed);
    }

    @Test
    void aNonFiniteInputReachesExactlyTheOutputsItsProductsReach() {
        SplittableRandom r = new SplittableRandom(1);
        for (long i = -CASES_3D; i < CASES; i++) {
            RandomCase c = plainCase(i < 0 ? i - 0x0A0A_0000L : 0x0A0A_0000L + i);
            float[] input = c.input().clone();
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                input[r.nextInt(input.length)] = NON_FINITE[r.nextInt(NON_FINITE.length)];
            }
            assertSameNonFinitePattern(c, "non-finite inputs", input, c.weights(), c.bias());
        }
    }

    @Test
    void aNonFiniteWeightReachesExactlyTheOutputsItsProductsReach() {
        SplittableRandom r = new SplittableRandom(2);
        for (long i = -CASES_3D; i < CASES; i++) {
            RandomCase c = plainCase(i < 0 ? i - 0x0B0B_0000L : 0x0B0B_0000L + i);
            float[] weights = c.weights().clone();
            weights[r.nextInt(weights.length)] = NON_FINITE[r.nextInt(NON_FINITE.length)];
            assertSameNonFinitePattern(c, "a non-finite weight", c.input(), weights, c.bias());
        }
    }

    @Test
    void aNonFiniteBiasReachesItsWholeChannel() {
        SplittableRandom r = new SplittableRandom(3);
        nonFiniteBiases(-0x0C0C_0000L, -1, CASES_3D, r);
        nonFiniteBiases(0x0C0C_0000L, 1, CASES, r);
    }

    /** Checks the first {@code count} cases with a bias from seed {@code first} on, in steps of {@code step}. */
    private static void nonFiniteBiases(long first, int step, int count, SplittableRandom r) {
        int checked = 0;
        for (long seed = first; checked < count; seed += step) {
            RandomCase c = plainCase(seed);
            if (c.bias() == null) {
                continue;
            }
            float[] bias = c.bias().clone();
            bias[r.nextInt(bias.length)] = NON_FINITE[r.nextInt(NON_FINITE.length)];
            assertSameNonFinitePattern(c, "a non-finite bias", c.input(), c.weights(), bias);
            checked++;
        }
    }

    /** Every value class through every epilogue, on both kernel orientations, as the scalar definition maps it. */
    @ParameterizedTest(name = "{0} output channels")
    @ValueSource(ints = {1, 48})
    void epiloguesMapNonFiniteAndSubnormalValuesLikeTheirScalarDefinitions(int outChannels) {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 88.8f, -88.8f, 1e-30f, -3f, 3f, 0.5f, -0.5f};
        Epilogue[] epilogues = {Epilogue.NONE, Epilogue.relu(), Epilogue.leakyRelu(0.1f), Epilogue.leakyRelu(0f),
            Epilogue.leakyRelu(-2f), Epilogue.clamp(-1f, 2f), Epilogue.clamp(0f, 0f), Epilogue.sigmoid(), Epilogue.tanh()};
        int width = specials.length;
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, outChannels, 1, 1).bias(false).build();
        float[] ones = new float[outChannels];
        Arrays.fill(ones, 1f);
        for (Epilogue e : epilogues) {
            try (Arena arena = Arena.ofConfined();
                    ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(ones).epilogue(e).build()) {
                Tensor x = Tensor.of(arena, specials, 1, 1, 1, width);
                Tensor y = Tensor.allocate(arena, 1, outChannels, 1, width);
                layer.forward(x, y);
                for (int c = 0; c < outChannels; c++) {
                    for (int i = 0; i < width; i++) {
                        // the sum starts at +0, so a -0 input sums to +0, as in the reference and PyTorch
                        float expected = e.apply(0f + specials[i]);
                        float actual = y.get(0, c, 0, i);
                        boolean transcendental = e instanceof Epilogue.Sigmoid || e instanceof Epilogue.Tanh;
                        boolean ok = Float.isNaN(expected) ? Float.isNaN(actual)
                                : transcendental ? Math.abs(actual - expected) <= 4 * Math.ulp(expected) + Float.MIN_NORMAL
                                : Float.floatToIntBits(actual) == Float.floatToIntBits(expected);
                        assertTrue(ok, e + "(" + specials[i] + ") is " + actual + ", the scalar definition gives " + expected
                                + " (channel " + c + ")");
                    }
                }
            }
        }
    }

    /**
     * Subnormal inputs times small integer weights: every product and partial sum is an exact
     * multiple of 2^-149 far below 2^24 units, so the float result must equal the exact sum bit
     * for bit; flushing subnormals to zero or losing them would show.
     */
    @Test
    void subnormalInputsAreComputedExactly() {
        SplittableRandom r = new SplittableRandom(4);
        for (long seed = 0x0D0D_0000L; seed < 0x0D0D_0000L + SUBNORMAL_CASES; seed++) {
            RandomCase c = plainCase(seed);
            float[] input = new float[c.input().length];
            for (int i = 0; i < input.length; i++) {
                input[i] = Float.MIN_VALUE * (r.nextInt(2001) - 1000);
            }
            float[] weights = new float[c.weights().length];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = r.nextInt(9) - 4;
            }
            float[] bias = c.bias() == null ? null : new float[c.bias().length];
            DirectReference.Result expected = DirectReference.forwardWithMagnitudes(c.geometry(), input, weights, bias, null);
            float[] actual = forward(c, input, weights, bias);
            for (int i = 0; i < actual.length; i++) {
                assertEquals((float) expected.exact()[i], actual[i], 0f, c + ": element " + i);
            }
            assertTrue(Arrays.stream(expected.exact()).anyMatch(v -> v != 0), c + ": the case has no nonzero output");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sigmoid", "tanh"})
    void sigmoidAndTanhGiveTheSameBitsOnEveryCallOfAFreshJvm(String epilogue) throws Exception {
        ChildJvm.Result r = ChildJvm.withFlags(ChildJvm.VECTOR_API).withoutErrorOutput().run(Duration.ofMinutes(5),
                EpilogueWarmupProbe.class.getName(), epilogue);
        String out = r.output().strip();
        assertEquals(0, r.exitCode(), "the probe failed: " + out);
        assertEquals("0", out, epilogue + ": calls whose bits differ from the first call's, of 20000");
    }
}
