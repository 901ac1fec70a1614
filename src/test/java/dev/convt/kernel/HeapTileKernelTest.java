package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link TileKernel#heapTile4x4} alone against a scalar loop over the same operands. */
class HeapTileKernelTest {

    private static final int LANES = TileKernel.LANES;
    private static final int CHANNELS = TileKernel.VECTOR_WIDTH;

    @ParameterizedTest(name = "{0} segments x {1} steps, pixel stride {2}")
    @CsvSource({"1, 1, 1", "1, 7, 7", "3, 1, 5", "3, 5, 9", "5, 64, 64", "9, 129, 130"})
    void matchesScalarSums(int segments, int steps, int pixelStride) {
        SplittableRandom random = new SplittableRandom(31L * segments + steps);
        int[] wStart = new int[segments];
        int[] xStart = new int[segments];
        int wSize = 0;
        int xSize = 0;
        for (int s = 0; s < segments; s++) {
            // Segments in a shuffled, gapped order, as taps of a phase read them.
            wStart[s] = wSize + random.nextInt(3) * LANES;
            wSize = wStart[s] + steps * CHANNELS;
            xStart[s] = random.nextInt(2 * pixelStride + 1);
            xSize = Math.max(xSize, xStart[s] + 3 * pixelStride + steps);
        }
        float[] w = randomFloats(random, wSize);
        float[] x = randomFloats(random, xSize);
        int[] base = {CHANNELS + 3, 0, 3 * CHANNELS + 5, 5 * CHANNELS};
        float[] sums = new float[6 * CHANNELS + 8];
        TileKernel.heapTile4x4(w, wStart, x, xStart, pixelStride, segments, steps, sums, base);
        for (int p = 0; p < 4; p++) {
            for (int c = 0; c < CHANNELS; c++) {
                float expected = 0;
                for (int s = 0; s < segments; s++) {
                    for (int k = 0; k < steps; k++) {
                        expected = Math.fma(w[wStart[s] + k * CHANNELS + c], x[xStart[s] + p * pixelStride + k],
                                expected);
                    }
                }
                // Same order of fused multiply-adds from +0: bitwise equal.
                assertEquals(expected, sums[base[p] + c], "pixel " + p + " channel " + c);
            }
        }
    }

    private static float[] randomFloats(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return a;
    }
}
