package dev.convt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.testing.Layers;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The textbook example, worked out by hand: input {@code x = [[1,2],[3,4]]}, kernel
 * {@code K = [[1,2,3],[4,5,6],[7,8,9]]} (not symmetric, so a missing flip shows). A transposed
 * convolution places a copy of {@code K} scaled by each input element at that element's position
 * times the stride, and adds the copies up; padding then crops the border.
 */
class HandCheckedExamplesTest {

    private static final float[] X = {1, 2, 3, 4};
    private static final float[] K = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    private static ConvTransposeGeometry geometry(int stride, int padding) {
        return ConvTransposeSpec.builder(1, 1, 3, 3).stride(stride).padding(padding).bias(false).build()
                .geometry(1, 1, 2, 2);
    }

    /** Every implementation convt has gives {@code expected}. */
    private static void assertAllGive(float[] expected, ConvTransposeGeometry g) {
        assertArrayEquals(expected, FourStepReference.forward(g, X, K, null, null), "four steps");
        assertArrayEquals(expected, DirectReference.forward(g, X, K, null, null), "direct");
        assertArrayEquals(expected, ConvolutionMatrix.ofTransposed(g, K).multiplyTransposed(X), "C^T x");
        assertArrayEquals(expected, Layers.forward(g.spec(), g.inputShape(), X, K, null), "layer");
    }

    @Test
    void strideOnePaddingZeroGivesFourByFour() {
        // Copies of 1K at (0,0), 2K at (0,1), 3K at (1,0), 4K at (1,1):
        // row 0: 1*[1,2,3,.] + 2*[.,1,2,3]                                  = [1, 4, 7, 6]
        // row 1: 1*[4,5,6,.] + 2*[.,4,5,6] + 3*[1,2,3,.] + 4*[.,1,2,3]      = [7, 23, 33, 24]
        // row 2: 1*[7,8,9,.] + 2*[.,7,8,9] + 3*[4,5,6,.] + 4*[.,4,5,6]      = [19, 53, 63, 42]
        // row 3:                             3*[7,8,9,.] + 4*[.,7,8,9]      = [21, 52, 59, 36]
        float[] expected = {
            1, 4, 7, 6,
            7, 23, 33, 24,
            19, 53, 63, 42,
            21, 52, 59, 36};
        ConvTransposeGeometry g = geometry(1, 0);
        assertArrayEquals(new long[] {1, 1, 4, 4}, g.outputShape());
        assertAllGive(expected, g);
    }

    @Test
    void strideTwoPaddingZeroGivesFiveByFive() {
        // Copies at (0,0), (0,2), (2,0), (2,2); they overlap only in row 2 and column 2:
        // row 0: [1,2,3,.,.] + 2*[.,.,1,2,3]                                = [1, 2, 5, 4, 6]
        // row 1: [4,5,6,.,.] + 2*[.,.,4,5,6]                                = [4, 5, 14, 10, 12]
        // row 2: [7,8,9,.,.] + 2*[.,.,7,8,9] + 3*[1,2,3,.,.] + 4*[.,.,1,2,3] = [10, 14, 36, 24, 30]
        // row 3: 3*[4,5,6,.,.] + 4*[.,.,4,5,6]                              = [12, 15, 34, 20, 24]
        // row 4: 3*[7,8,9,.,.] + 4*[.,.,7,8,9]                              = [21, 24, 55, 32, 36]
        float[] expected = {
            1, 2, 5, 4, 6,
            4, 5, 14, 10, 12,
            10, 14, 36, 24, 30,
            12, 15, 34, 20, 24,
            21, 24, 55, 32, 36};
        ConvTransposeGeometry g = geometry(2, 0);
        assertArrayEquals(new long[] {1, 1, 5, 5}, g.outputShape());
        assertAllGive(expected, g);
    }

    @Test
    void strideTwoPaddingOneCropsTheBorderToThreeByThree() {
        // The 5x5 result above without its outer ring.
        float[] expected = {
            5, 14, 10,
            14, 36, 24,
            15, 34, 20};
        ConvTransposeGeometry g = geometry(2, 1);
        assertArrayEquals(new long[] {1, 1, 3, 3}, g.outputShape());
        assertAllGive(expected, g);
    }

    @Test
    void seedStepsOfStrideTwoPaddingOne() {
        FourStepReference.Steps s = FourStepReference.steps(geometry(2, 1), X, K, 0, 0, 0);
        assertArrayEquals(new float[][] {{1, 2}, {3, 4}}, s.input());
        // Step 1: one zero between neighbours.
        assertArrayEquals(new float[][] {
            {1, 0, 2},
            {0, 0, 0},
            {3, 0, 4}}, s.zeroInserted());
        // Step 2: dilation*(k-1) - padding = 2 - 1 = 1 zero on every side.
        assertEquals(1, s.padTop());
        assertEquals(1, s.padLeft());
        assertEquals(1, s.padBottom());
        assertEquals(1, s.padRight());
        assertArrayEquals(new float[][] {
            {0, 0, 0, 0, 0},
            {0, 1, 0, 2, 0},
            {0, 0, 0, 0, 0},
            {0, 3, 0, 4, 0},
            {0, 0, 0, 0, 0}}, s.padded());
        // Step 3: the kernel turned by 180 degrees.
        assertArrayEquals(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, s.kernel());
        assertArrayEquals(new float[][] {{9, 8, 7}, {6, 5, 4}, {3, 2, 1}}, s.flippedKernel());
        // Step 4, e.g. the centre: the window rows 1..3, columns 1..3 of the padded map is
        // [[1,0,2],[0,0,0],[3,0,4]]; against the flipped kernel, 1*9 + 2*7 + 3*3 + 4*1 = 36.
        assertArrayEquals(new double[][] {{5, 14, 10}, {14, 36, 24}, {15, 34, 20}}, s.contribution());
    }

    @Test
    void seedStepsWithPaddingBeyondTheKernelCrop() {
        // Padding 3 > dilation*(k-1) = 2: step 2 pads -1, i.e. crops one row/column of the
        // zero-inserted map on each side; output (2-1)*2 + 3 - 6 = -1 would be empty, so use
        // a 3x3 input: (3-1)*2 + 3 - 6 = 1.
        ConvTransposeGeometry g = ConvTransposeSpec.builder(1, 1, 3, 3).stride(2).padding(3).bias(false).build()
                .geometry(1, 1, 3, 3);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        FourStepReference.Steps s = FourStepReference.steps(g, x, K, 0, 0, 0);
        assertEquals(-1, s.padTop());
        assertEquals(-1, s.padBottom());
        // zero-inserted 5x5 cropped by one on each side: its centre 3x3 [[0,0,0],[0,5,0],[0,0,0]].
        assertArrayEquals(new float[][] {{0, 0, 0}, {0, 5, 0}, {0, 0, 0}}, s.padded());
        // One output: the flipped kernel's centre 5 times x=5.
        assertArrayEquals(new double[][] {{25}}, s.contribution());
        assertArrayEquals(new float[] {25}, DirectReference.forward(g, x, K, null, null));
    }

    /**
     * The classic matrix: a 4x4 input, 3x3 kernel, stride 1 give a 2x2 output, so C is 4x16;
     * row r holds the kernel at the 3x3 window of output r (input pixel index = 4*row + col).
     */
    @Test
    void classicConvolutionMatrixIsFourBySixteen() {
        ConvolutionMatrix c = ConvolutionMatrix.ofConvolution(new long[] {1, 4, 4}, K, new long[] {1, 1, 3, 3},
                Conv2dReference.Params.of(1, 0, 1, 1));
        assertEquals(4, c.rows());
        assertEquals(16, c.columns());
        assertArrayEquals(new float[][] {
            {1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0},
            {0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0},
            {0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0},
            {0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9}}, c.toArray());
        // C^T maps a 2x2 map to a 4x4 map: it is the stride-1 transposed convolution above.
        assertArrayEquals(new float[] {1, 4, 7, 6, 7, 23, 33, 24, 19, 53, 63, 42, 21, 52, 59, 36},
                c.multiplyTransposed(X));
        // And C x is the convolution: x = 0..15 gives at output (0,0)
        // 1*0+2*1+3*2 + 4*4+5*5+6*6 + 7*8+8*9+9*10 = 8 + 77 + 218 = 303, each step right adds
        // sum(K) = 45, each step down adds 4*45 = 180.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        assertArrayEquals(new float[] {303, 348, 483, 528}, c.multiply(x));
    }

    /**
     * Transposed convolution restores the shape convolution took away, not the values: with a
     * 3x3 kernel of ones, a 4x4 map of ones convolves to a 2x2 map of nines, and the transposed
     * convolution of that is 9 times the number of windows covering each pixel.
     */
    @Test
    void transposedConvolutionIsNotTheInverse() {
        float[] ones9 = new float[9];
        Arrays.fill(ones9, 1f);
        float[] x = new float[16];
        Arrays.fill(x, 1f);
        float[] y = Conv2dReference.forward(x, new long[] {1, 1, 4, 4}, ones9, new long[] {1, 1, 3, 3}, null,
                Conv2dReference.Params.of(1, 0, 1, 1));
        assertArrayEquals(new float[] {9, 9, 9, 9}, y);
        ConvTransposeGeometry g = ConvTransposeSpec.builder(1, 1, 3, 3).bias(false).build().geometry(1, 1, 2, 2);
        float[] back = DirectReference.forward(g, y, ones9, null, null);
        assertArrayEquals(new long[] {1, 1, 4, 4}, g.outputShape());
        assertArrayEquals(new float[] {
            9, 18, 18, 9,
            18, 36, 36, 18,
            18, 36, 36, 18,
            9, 18, 18, 9}, back);
        assertFalse(Arrays.equals(x, back));
    }

    /**
     * In 3-D, worked by hand: input {@code x = (1, 10)} along D, kernel {@code [[1, 2], [3, 4]]}
     * over (D, W), stride 2 along W. The transposed convolution stacks {@code 1 K} at depth 0 and
     * {@code 10 K} at depth 1; its adjoint takes {@code v} back to the input's shape.
     */
    @Test
    void threeAxesByHand() {
        ConvTransposeGeometry g = ConvTransposeSpec.builder3d(1, 1, 2, 1, 2).stride(1, 1, 2).bias(false).build()
                .geometry(1, 1, 2, 1, 1);
        float[] x = {1, 10};
        float[] k = {1, 2, 3, 4};
        // depth 0: 1*[1, 2]; depth 1: 1*[3, 4] + 10*[1, 2]; depth 2: 10*[3, 4].
        float[] expected = {1, 2, 13, 24, 30, 40};
        assertArrayEquals(new long[] {1, 1, 3, 1, 2}, g.outputShape());
        assertArrayEquals(expected, FourStepReference.forward(g, x, k, null, null), "four steps");
        assertArrayEquals(expected, DirectReference.forward(g, x, k, null, null), "direct");
        ConvolutionMatrix c = ConvolutionMatrix.ofTransposed(g, k);
        assertArrayEquals(expected, c.multiplyTransposed(x), "C^T x");
        // u[i] = v[i]·K[0] + v[i+1]·K[1]: u0 = (1*1 + 2*2) + (3*3 + 4*4), u1 = (3*1 + 4*2) + (5*3 + 6*4);
        // <y, v> = 530 = <x, u>.
        float[] v = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new float[] {30, 50}, Conv2dReference.adjoint(g, v, k), "adjoint");
        assertArrayEquals(new float[] {30, 50}, c.multiply(v), "C v");
    }
}
