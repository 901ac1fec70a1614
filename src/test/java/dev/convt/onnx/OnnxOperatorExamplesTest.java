package dev.convt.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.reference.DirectReference;
import dev.convt.reference.FourStepReference;
import dev.convt.testing.Layers;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The examples of the ONNX ConvTranspose operator (its documentation and the backend node tests
 * {@code test_convtranspose*}), with their published expected outputs typed in, run through both
 * references, the layer and ONNX Runtime.
 */
class OnnxOperatorExamplesTest {

    /** {@code x} of the examples: 0..8 as a 3x3 map. */
    private static final float[] ARANGE_3X3 = {0, 1, 2, 3, 4, 5, 6, 7, 8};

    /** The test_convtranspose output for one channel: ones kernel over ARANGE_3X3. */
    private static final float[] BASIC_5X5 = {
        0, 1, 3, 3, 2,
        3, 8, 15, 12, 7,
        9, 21, 36, 27, 15,
        9, 20, 33, 24, 13,
        6, 13, 21, 15, 8};

    /** One channel of test_convtranspose_output_shape, _pad and _kernel_shape, (10, 8). */
    private static final float[] STRIDES_3_2_10X8 = {
        0, 0, 1, 1, 3, 2, 2, 0,
        0, 0, 1, 1, 3, 2, 2, 0,
        0, 0, 1, 1, 3, 2, 2, 0,
        3, 3, 7, 4, 9, 5, 5, 0,
        3, 3, 7, 4, 9, 5, 5, 0,
        3, 3, 7, 4, 9, 5, 5, 0,
        6, 6, 13, 7, 15, 8, 8, 0,
        6, 6, 13, 7, 15, 8, 8, 0,
        6, 6, 13, 7, 15, 8, 8, 0,
        0, 0, 0, 0, 0, 0, 0, 0};

    /** One channel of test_convtranspose_3d, (5, 6, 7): a 3x3x3 ones kernel over 0..59 as (3, 4, 5). */
    private static final float[] BASIC_3D_5X6X7 = {
        0, 1, 3, 6, 9, 7, 4,
        5, 12, 21, 27, 33, 24, 13,
        15, 33, 54, 63, 72, 51, 27,
        30, 63, 99, 108, 117, 81, 42,
        25, 52, 81, 87, 93, 64, 33,
        15, 31, 48, 51, 54, 37, 19,

        20, 42, 66, 72, 78, 54, 28,
        50, 104, 162, 174, 186, 128, 66,
        90, 186, 288, 306, 324, 222, 114,
        120, 246, 378, 396, 414, 282, 144,
        90, 184, 282, 294, 306, 208, 106,
        50, 102, 156, 162, 168, 114, 58,

        60, 123, 189, 198, 207, 141, 72,
        135, 276, 423, 441, 459, 312, 159,
        225, 459, 702, 729, 756, 513, 261,
        270, 549, 837, 864, 891, 603, 306,
        195, 396, 603, 621, 639, 432, 219,
        105, 213, 324, 333, 342, 231, 117,

        60, 122, 186, 192, 198, 134, 68,
        130, 264, 402, 414, 426, 288, 146,
        210, 426, 648, 666, 684, 462, 234,
        240, 486, 738, 756, 774, 522, 264,
        170, 344, 522, 534, 546, 368, 186,
        90, 182, 276, 282, 288, 194, 98,

        40, 81, 123, 126, 129, 87, 44,
        85, 172, 261, 267, 273, 184, 93,
        135, 273, 414, 423, 432, 291, 147,
        150, 303, 459, 468, 477, 321, 162,
        105, 212, 321, 327, 333, 224, 113,
        55, 111, 168, 171, 174, 117, 59};

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    private static float[] twice(float[] channel) {
        float[] a = Arrays.copyOf(channel, channel.length * 2);
        System.arraycopy(channel, 0, a, channel.length, channel.length);
        return a;
    }

    /** Asserts every implementation, ONNX Runtime included, gives the published output. */
    private static void check(ConvTransposeSpec spec, long[] inputShape, float[] x, float[] w, long[] outputShape,
            float[] expected) throws Exception {
        ConvTransposeGeometry g = spec.geometry(inputShape);
        assertArrayEquals(outputShape, g.outputShape(), "output shape");
        assertArrayEquals(expected, FourStepReference.forward(g, x, w, null, null), "four steps");
        assertArrayEquals(expected, DirectReference.forward(g, x, w, null, null), "direct");
        assertArrayEquals(expected, Layers.forward(spec, inputShape, x, w, null), "layer");
        try (OnnxRuntimePeer ort = OnnxRuntimePeer.open(spec, inputShape, w, null, 1)) {
            assertArrayEquals(outputShape, ort.outputShape(), "ONNX Runtime output shape");
            assertArrayEquals(expected, ort.run(x), "ONNX Runtime");
        }
    }

    @Test
    void convtranspose() throws Exception {
        check(ConvTransposeSpec.builder(1, 2, 3, 3).bias(false).build(), new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18),
                new long[] {1, 2, 5, 5}, twice(BASIC_5X5));
    }

    @Test
    void convtranspose3d() throws Exception {
        float[] x = new float[60];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        check(ConvTransposeSpec.builder3d(1, 2, 3, 3, 3).bias(false).build(), new long[] {1, 1, 3, 4, 5}, x, ones(54),
                new long[] {1, 2, 5, 6, 7}, twice(BASIC_3D_5X6X7));
    }

    @Test
    void convtranspose1d() throws Exception {
        check(ConvTransposeSpec.builder1d(1, 2, 3).bias(false).build(), new long[] {1, 1, 3}, new float[] {0, 1, 2},
                ones(6), new long[] {1, 2, 5}, new float[] {0, 1, 3, 3, 2, 0, 1, 3, 3, 2});
    }

    @Test
    void convtransposeOutputShape() throws Exception {
        // Natural size (9, 7); output_shape (10, 8) adds one row and column at the end.
        check(ConvTransposeSpec.builder(1, 2, 3, 3).stride(3, 2).outputShape(10, 8).bias(false).build(),
                new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18), new long[] {1, 2, 10, 8}, twice(STRIDES_3_2_10X8));
    }

    @Test
    void convtransposePad() throws Exception {
        check(ConvTransposeSpec.builder(1, 2, 3, 3).stride(3, 2).outputPadding(1, 1).bias(false).build(),
                new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18), new long[] {1, 2, 10, 8}, twice(STRIDES_3_2_10X8));
    }

    @Test
    void convtransposeKernelShape() throws Exception {
        check(ConvTransposeSpec.builder(1, 2, 3, 3).stride(3, 2).outputShape(10, 8).outputPadding(1, 1).bias(false)
                .build(), new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18), new long[] {1, 2, 10, 8},
                twice(STRIDES_3_2_10X8));
    }

    @Test
    void convtransposePads() throws Exception {
        float[] channel = {
            1, 1, 3,
            1, 1, 3,
            7, 4, 9,
            7, 4, 9,
            7, 4, 9,
            13, 7, 15,
            13, 7, 15};
        check(ConvTransposeSpec.builder(1, 2, 3, 3).stride(3, 2).pads(1, 2, 1, 2).bias(false).build(),
                new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18), new long[] {1, 2, 7, 3}, twice(channel));
    }

    @Test
    void convtransposeDilations() throws Exception {
        float[] y = {
            21, 56, 13, 16, 2,
            63, 35, 67, 10, 14,
            24, 22, 76, 76, 21,
            9, 5, 88, 45, 63,
            3, 2, 33, 18, 54};
        check(ConvTransposeSpec.builder(1, 1, 2, 2).dilation(2).bias(false).build(), new long[] {1, 1, 3, 3},
                new float[] {3, 8, 1, 9, 5, 7, 3, 2, 6}, new float[] {7, 2, 1, 9}, new long[] {1, 1, 5, 5}, y);
    }

    @Test
    void convtransposeAutopadSame() throws Exception {
        // Natural 7x7, output 3*2 = 6: total padding 1, which SAME_UPPER puts at the end.
        float[] channel = {
            0, 0, 1, 1, 3, 2,
            0, 0, 1, 1, 3, 2,
            3, 3, 8, 5, 12, 7,
            3, 3, 7, 4, 9, 5,
            9, 9, 20, 11, 24, 13,
            6, 6, 13, 7, 15, 8};
        check(ConvTransposeSpec.builder(1, 2, 3, 3).stride(2).autoPad(ConvTransposeSpec.AutoPad.SAME_UPPER).bias(false)
                .build(), new long[] {1, 1, 3, 3}, ARANGE_3X3, ones(18), new long[] {1, 2, 6, 6}, twice(channel));
    }

    /**
     * How many 3x3 windows of a stride-1 transposed convolution of a 3x3 map cover each output
     * element: {@code [1,2,3,2,1]} outer itself.
     */
    private static final float[] COVER_5X5 = {
        1, 2, 3, 2, 1,
        2, 4, 6, 4, 2,
        3, 6, 9, 6, 3,
        2, 4, 6, 4, 2,
        1, 2, 3, 2, 1};

    /**
     * test_convtranspose_group_2 and _image_3: x = 0, 1, 2, ... over (N, 2, 3, 3), ones weights
     * (2, 1, 3, 3), group 2, so each channel only sees itself. Plane p of the input is
     * {@code ARANGE_3X3 + 9p}, so its output is {@code BASIC_5X5 + 9p * COVER_5X5}; for p = 1
     * that is the published second channel [[9,19,30,21,11], [21,44,69,48,25], ...].
     */
    private static float[] groupTwoExpected(int batch) {
        float[] y = new float[batch * 2 * 25];
        for (int p = 0; p < batch * 2; p++) {
            for (int i = 0; i < 25; i++) {
                y[p * 25 + i] = BASIC_5X5[i] + 9 * p * COVER_5X5[i];
            }
        }
        return y;
    }

    private static float[] arange(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void convtransposeGroup2() throws Exception {
        float[] y = groupTwoExpected(1);
        assertArrayEquals(new float[] {9, 19, 30, 21, 11, 21, 44, 69, 48, 25}, Arrays.copyOfRange(y, 25, 35));
        check(ConvTransposeSpec.builder(2, 2, 3, 3).groups(2).bias(false).build(), new long[] {1, 2, 3, 3}, arange(18),
                ones(18), new long[] {1, 2, 5, 5}, y);
    }

    @Test
    void convtransposeGroup2Image3() throws Exception {
        check(ConvTransposeSpec.builder(2, 2, 3, 3).groups(2).bias(false).build(), new long[] {3, 2, 3, 3}, arange(54),
                ones(18), new long[] {3, 2, 5, 5}, groupTwoExpected(3));
    }
}
