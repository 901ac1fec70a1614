package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeLayer;
import dev.convt.Epilogue;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The fast path against the scalar definition, over thousands of random specs per run. The
 * allowed error of each element derives from the magnitudes of its terms ({@link Tolerance}),
 * times the epilogue's Lipschitz constant, plus a few ulps for the kernel's float exp/tanh.
 */
class KernelPropertiesTest {

    @Property(tries = 2500)
    void fastPathMatchesTheDefinition(@ForAll KernelCase.Regime regime, @ForAll boolean oneD,
            @ForAll @IntRange(min = 1, max = 5) int kh, @ForAll @IntRange(min = 1, max = 5) int kw,
            @ForAll @IntRange(min = 1, max = 4) int sh, @ForAll @IntRange(min = 1, max = 4) int sw,
            @ForAll @IntRange(min = 1, max = 3) int dh, @ForAll @IntRange(min = 1, max = 3) int dw,
            @ForAll @IntRange(min = 0, max = 3) int padMode, @ForAll @IntRange(min = 0, max = 5) int epilogue,
            @ForAll long seed) {
        KernelCase c = KernelCase.draw(regime, oneD, kh, kw, sh, sw, dh, dw, padMode, epilogue, seed);
        Assume.that(c != null);
        float[] actual;
        try (ConvTransposeLayer layer = c.layer()) {
            actual = c.run(layer, 1);
        }
        assertWithinTolerance(c, actual);
    }

    @Property(tries = 150)
    void resultsAreBitwiseIdenticalForAnyThreadCount(@ForAll KernelCase.Regime regime,
            @ForAll @IntRange(min = 1, max = 4) int kernel, @ForAll @IntRange(min = 1, max = 4) int stride,
            @ForAll @IntRange(min = 0, max = 3) int padMode, @ForAll long seed) {
        KernelCase c = KernelCase.draw(regime, false, kernel, kernel, stride, stride, 1, 1, padMode, 1, seed);
        Assume.that(c != null);
        try (ConvTransposeLayer layer = c.layer()) {
            float[] one = c.run(layer, 1);
            for (int threads : new int[] {2, 3, 8}) {
                assertBitwiseEqual(one, c.run(layer, threads), c + ", " + threads + " threads");
            }
        }
    }

    @Property(tries = 20)
    void concurrentCallsOnOneLayerGiveTheSingleThreadedResult(@ForAll KernelCase.Regime regime, @ForAll long seed)
            throws Exception {
        KernelCase c = KernelCase.draw(regime, false, 3, 3, 2, 2, 1, 1, 0, 0, seed);
        Assume.that(c != null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ConvTransposeLayer layer = c.layer()) {
            float[] expected = c.run(layer, 1);
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int threads = 1 + i % 3;
                results.add(pool.submit(() -> c.run(layer, threads)));
            }
            for (Future<float[]> r : results) {
                assertBitwiseEqual(expected, r.get(), c.toString());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertWithinTolerance(KernelCase c, float[] actual) {
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                c.bias(), null);
        assertEquals(expected.exact().length, actual.length, c.toString());
        int terms = Tolerance.maxTerms(c.spec());
        double lipschitz = c.epilogue() instanceof Epilogue.LeakyRelu l ? Math.max(1, Math.abs(l.slope())) : 1;
        for (int i = 0; i < actual.length; i++) {
            float want = c.epilogue().apply((float) expected.exact()[i]);
            double allowed = lipschitz * Tolerance.bound(expected.magnitudes()[i], terms) + 4 * Math.ulp(want);
            if (!(Math.abs(actual[i] - want) <= allowed)) {
                fail(c + ": element " + i + " is " + actual[i] + ", expected " + want + " (allowed error " + allowed
                        + ", magnitude " + expected.magnitudes()[i] + ")");
            }
        }
    }

    static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " differs: " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
