package dev.convt.kernel;

import dev.convt.ConvTransposeLayer;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Gen;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The fast path against the scalar definition, over thousands of random specs per run
 * ({@link RandomCase.Options#KERNEL}: every plan and tile, every epilogue, aligned and unaligned
 * tensors). The allowed error of each element derives from the magnitudes of its terms, times the
 * epilogue's Lipschitz constant, plus the epilogue's own rounding ({@link Tolerance#assertMatches}).
 */
class KernelPropertiesTest {

    private static final Gen<RandomCase> CASES = RandomCase.gen(RandomCase.Options.KERNEL);

    @Test
    void fastPathMatchesTheDefinition() {
        PropertyCheck.forAll(CASES).tries(2500).check(c -> {
            float[] actual;
            try (ConvTransposeLayer layer = c.layer()) {
                actual = c.run(layer, 1);
            }
            Tolerance.assertMatches(c, DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(), c.bias(),
                    null), actual);
        });
    }

    @Test
    void resultsAreBitwiseIdenticalForAnyThreadCount() {
        PropertyCheck.forAll(CASES).tries(150).check(c -> {
            try (ConvTransposeLayer layer = c.layer()) {
                float[] one = c.run(layer, 1);
                for (int threads : new int[] {2, 3, 8}) {
                    Tolerance.assertBitwiseEqual(one, c.run(layer, threads), c + ", " + threads + " threads");
                }
            }
        });
    }

    @Test
    void concurrentCallsOnOneLayerGiveTheSingleThreadedResult() {
        PropertyCheck.forAll(CASES).tries(20).check(c -> {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try (ConvTransposeLayer layer = c.layer()) {
                float[] expected = c.run(layer, 1);
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    int threads = 1 + i % 3;
                    results.add(pool.submit(() -> c.run(layer, threads)));
                }
                for (Future<float[]> r : results) {
                    Tolerance.assertBitwiseEqual(expected, r.get(), c.toString());
                }
            } finally {
                pool.shutdownNow();
            }
        });
    }
}
