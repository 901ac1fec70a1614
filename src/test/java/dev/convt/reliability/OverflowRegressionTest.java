package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Inputs the fuzzers found that break the library: each test states the right behaviour and is
 * disabled until the bug it names is fixed.
 */
class OverflowRegressionTest {

    @Test
    void weightsWhoseByteCountWrapsAreRejected() {
        // 2^30 * 2^30 * 4 weights are 2^64 bytes, which a long holds as 0: an empty array would match.
        // The spec is refused when built, before any weights are given.
        assertThrows(IllegalArgumentException.class, () -> ConvTransposeLayer.builder(
                ConvTransposeSpec.builder(1 << 30, 1 << 30, 4, 1).bias(false).build()).weights(new float[0]).build());
    }

    @Test
    void weightCountIsExactOrTheSpecIsRejected() {
        int max = Integer.MAX_VALUE;
        ConvTransposeSpec.Builder b = ConvTransposeSpec.builder(max, max, max, max);
        ConvTransposeSpec spec;
        try {
            spec = b.build();
        } catch (IllegalArgumentException rejected) {
            return;
        }
        BigInteger exact = BigInteger.valueOf(max).pow(4);
        assertEquals(exact, BigInteger.valueOf(spec.weightCount()), "weightCount of " + spec);
    }

    @Test
    void elementCountsAreExactOrTheShapeIsRejected() {
        int max = Integer.MAX_VALUE;
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, max, 1, 1).build();
        ConvTransposeGeometry g;
        try {
            g = spec.geometry(max, 1, max, max);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        BigInteger exact = BigInteger.valueOf(max).pow(4);
        assertEquals(exact, BigInteger.valueOf(g.outputCount()), "outputCount of " + g);
    }

    /**
     * A 1x1 (or 1x1x1) input with any stride gives a 1x1 (1x1x1) output, {@code x*w + b}: a phase
     * per stride step must not cost memory or time, nor overflow the plans' int arithmetic (nor,
     * in 3-D, their long arithmetic: 100000^3 phases).
     */
    @ParameterizedTest(name = "stride {0}, {1} output channels, {2}-D")
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @CsvSource({
        "65536, 1, 2", // PixelTiledPlan.<init>: ceilDiv(TARGET_ROWS, sy*sx) with sy*sx == 2^32 == 0 in int: ArithmeticException
        "65536, 32, 2", // WeightBlocks.<init>: new long[groups*families*families] of 2^32 == 0: ArrayIndexOutOfBoundsException
        "100000, 1, 2", // PixelTiledPlan: scratchSize (channelBlock*sy*sx+1)*phaseStride wraps: IndexOutOfBoundsException after ~15 s
        "1291, 1, 3", // 1291^3 phases just above 2^31
        "65536, 1, 3",
        "65536, 32, 3",
        "100000, 1, 3",
        "2147483647, 32, 3",
    })
    void hugeStridesOnATinyInputCompute(int stride, int outChannels, int rank) {
        ConvTransposeSpec spec = rank == 3 ? ConvTransposeSpec.builder3d(1, outChannels, 1, 1, 1).stride(stride).build()
                : ConvTransposeSpec.builder(1, outChannels, 1, 1).stride(stride).build();
        float[] w = new float[outChannels];
        float[] b = new float[outChannels];
        float[] expected = new float[outChannels];
        for (int c = 0; c < outChannels; c++) {
            w[c] = c + 1;
            b[c] = 0.5f;
            expected[c] = 3 * w[c] + b[c];
        }
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(b).build()) {
            long[] shape = rank == 3 ? new long[] {1, 1, 1, 1, 1} : new long[] {1, 1, 1, 1};
            Tensor x = Tensor.of(arena, new float[] {3}, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            assertEquals(outChannels, y.elementCount(), "a 1x1 output per channel");
            layer.forward(x, y);
            assertArrayEquals(expected, y.toArray());
            layer.forward(x, y, 2);
            assertArrayEquals(expected, y.toArray(), "on two threads");
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHuge1dStrideOnALengthOneInputComputes() {
        // Found by LayerFuzzTest#hugeParametersRejectOrCompute: builder1d(3, 2, 2).stride(2147483646), input (1, 3, 1).
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(1, 2, 2).stride(Integer.MAX_VALUE - 1).build();
        float[] w = {1, 2, 3, 4};
        try (Arena arena = Arena.ofConfined();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(new float[] {0.5f, -0.5f}).build()) {
            Tensor x = Tensor.of(arena, new float[] {3}, 1, 1, 1);
            Tensor y = Tensor.allocate(arena, 1, 2, 2);
            layer.forward(x, y);
            assertArrayEquals(new float[] {3.5f, 6.5f, 8.5f, 11.5f}, y.toArray());
        }
    }

    @Test
    void aWrongOutputForAHugeOutputShapeIsRejected() {
        // Found by LayerFuzzTest: builder(1, 1, 1, 1).outputShape(1, 2147483646) on input (7, 1, 4, 2).
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 1, 1).outputShape(1, Integer.MAX_VALUE - 1).build();
        try (Arena arena = Arena.ofConfined();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(new float[] {1}).bias(new float[] {0}).build()) {
            Tensor x = Tensor.allocate(arena, 7, 1, 4, 2);
            Tensor y = Tensor.allocate(arena, 7, 1, 1, 1);
            assertThrows(IllegalArgumentException.class, () -> layer.forward(x, y));
        }
    }
}
