package dev.convt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.testing.Layers;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's {@code ConvTranspose1d/2d} documentation, parameter by parameter: the examples'
 * output shapes from its formula
 * {@code H_out = (H_in-1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1},
 * and for each parameter a small 1-D case worked out by hand, run through both references and the
 * layer.
 */
class PyTorchDocumentationCasesTest {

    private static long[] outputShape(ConvTransposeSpec spec, long... inputShape) {
        return spec.geometry(inputShape).outputShape();
    }

    @Test
    void squareKernelEqualStride() {
        // nn.ConvTranspose2d(16, 33, 3, stride=2) on (20, 16, 50, 100): 49*2 + 2 + 1 = 101, 99*2 + 3 = 201.
        assertArrayEquals(new long[] {20, 33, 101, 201},
                outputShape(ConvTransposeSpec.builder(16, 33, 3, 3).stride(2).build(), 20, 16, 50, 100));
    }

    @Test
    void nonSquareKernelUnequalStrideWithPadding() {
        // nn.ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2)) on (20, 16, 50, 100):
        // H 49*2 - 8 + 2 + 1 = 93, W 99 - 4 + 4 + 1 = 100.
        assertArrayEquals(new long[] {20, 33, 93, 100}, outputShape(
                ConvTransposeSpec.builder(16, 33, 3, 5).stride(2, 1).padding(4, 2).build(), 20, 16, 50, 100));
    }

    @Test
    void outputSizeArgumentIsOutputPadding() {
        // downsample = nn.Conv2d(16, 16, 3, stride=2, padding=1): 12x12 -> 6x6;
        // upsample = nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1) gives 5*2 - 2 + 3 = 11, and
        // upsample(h, output_size=(12, 12)) picks output_padding 1.
        assertArrayEquals(new long[] {1, 16, 6, 6}, Conv2dReference.outputShape(new long[] {1, 16, 12, 12},
                new long[] {16, 16, 3, 3}, Conv2dReference.Params.of(2, 1, 1, 1)));
        ConvTransposeSpec.Builder up = ConvTransposeSpec.builder(16, 16, 3, 3).stride(2).padding(1);
        assertArrayEquals(new long[] {1, 16, 11, 11}, outputShape(up.build(), 1, 16, 6, 6));
        assertArrayEquals(new long[] {1, 16, 12, 12}, outputShape(up.outputPadding(1).build(), 1, 16, 6, 6));
    }

    @Test
    void conv1dExampleShape() {
        // nn.ConvTranspose1d(16, 33, 3, stride=2) on (20, 16, 50): 49*2 + 3 = 101.
        assertArrayEquals(new long[] {20, 33, 101},
                outputShape(ConvTransposeSpec.builder1d(16, 33, 3).stride(2).build(), 20, 16, 50));
    }

    /** Both references and the layer give {@code expected}. */
    private static void assertAllGive(float[] expected, ConvTransposeSpec spec, long[] inputShape, float[] x, float[] w,
            float[] b) {
        ConvTransposeGeometry g = spec.geometry(inputShape);
        assertArrayEquals(expected, FourStepReference.forward(g, x, w, b, null), "four steps");
        assertArrayEquals(expected, DirectReference.forward(g, x, w, b, null), "direct");
        assertArrayEquals(expected, Layers.forward(spec, inputShape, x, w, b), "layer");
    }

    /*
     * The 1-D cases: x = (1, 2), w = (1, 10, 100). Input i and tap k land at full position
     * i*stride + k*dilation; padding p drops p positions at each end.
     */
    private static final long[] X_SHAPE = {1, 1, 2};
    private static final float[] X = {1, 2};
    private static final float[] W = {1, 10, 100};

    private static ConvTransposeSpec.Builder oneD() {
        return ConvTransposeSpec.builder1d(1, 1, 3).bias(false);
    }

    @Test
    void strideSpreadsTheCopies() {
        // Stride 1: [1,10,100] + [.,2,20,200]; stride 2: [1,10,100] + [.,.,2,20,200].
        assertAllGive(new float[] {1, 12, 120, 200}, oneD().build(), X_SHAPE, X, W, null);
        assertAllGive(new float[] {1, 10, 102, 20, 200}, oneD().stride(2).build(), X_SHAPE, X, W, null);
        assertAllGive(new float[] {1, 10, 100, 2, 20, 200}, oneD().stride(3).build(), X_SHAPE, X, W, null);
        // Stride 4 > kernel 3: a gap of zeros between the copies.
        assertAllGive(new float[] {1, 10, 100, 0, 2, 20, 200}, oneD().stride(4).build(), X_SHAPE, X, W, null);
    }

    @Test
    void paddingCropsBothEnds() {
        assertAllGive(new float[] {10, 102, 20}, oneD().stride(2).padding(1).build(), X_SHAPE, X, W, null);
        assertAllGive(new float[] {102}, oneD().stride(2).padding(2).build(), X_SHAPE, X, W, null);
    }

    @Test
    void outputPaddingAddsOneSideOnly() {
        assertAllGive(new float[] {1, 10, 102, 20, 200, 0}, oneD().stride(2).outputPadding(1).build(), X_SHAPE, X, W,
                null);
        // With padding 1: the start is cropped, the end keeps one more element.
        assertAllGive(new float[] {10, 102, 20, 200}, oneD().stride(2).padding(1).outputPadding(1).build(), X_SHAPE, X,
                W, null);
    }

    @Test
    void dilationSpacesTheTaps() {
        // Taps at 0, 2, 4 for x0 and 1, 3, 5 for x1.
        assertAllGive(new float[] {1, 2, 10, 20, 100, 200}, oneD().dilation(2).build(), X_SHAPE, X, W, null);
        // Output padding may reach the dilation when it is below it: stride 1, dilation 2, op 1.
        assertAllGive(new float[] {1, 2, 10, 20, 100, 200, 0}, oneD().dilation(2).outputPadding(1).build(), X_SHAPE, X,
                W, null);
    }

    @Test
    void biasIsAddedToEveryElementIncludingOutputPadding() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(1, 1, 3).stride(2).outputPadding(1).build();
        assertAllGive(new float[] {1.5f, 10.5f, 102.5f, 20.5f, 200.5f, 0.5f}, spec, X_SHAPE, X, W, new float[] {0.5f});
    }

    @Test
    void groupsKeepChannelsApart() {
        // Cin 2, Cout 4, groups 2, kernel 1: weight [2, 2, 1] = [[a, b], [c, d]] = [[1, 2], [3, 4]].
        // Output channels 0, 1 see only input channel 0; channels 2, 3 only input channel 1.
        float[] x = {1, 2, 10, 20};
        float[] w = {1, 2, 3, 4};
        ConvTransposeSpec grouped = ConvTransposeSpec.builder1d(2, 4, 1).groups(2).bias(false).build();
        assertAllGive(new float[] {1, 2, 2, 4, 30, 60, 40, 80}, grouped, new long[] {1, 2, 2}, x, w, null);
        // Depthwise (groups = Cin = Cout): each channel scaled by its own weight, plus its bias.
        ConvTransposeSpec depthwise = ConvTransposeSpec.builder1d(2, 2, 1).groups(2).build();
        assertAllGive(new float[] {6, 11, 69, 139}, depthwise, new long[] {1, 2, 2}, x, new float[] {5, 7},
                new float[] {1, -1});
        // groups 1 with the same Cin/Cout sums both input channels into every output channel:
        // weight [2, 4, 1]: channel co = x0*w[0][co] + x1*w[1][co].
        float[] wFull = {1, 2, 3, 4, 5, 6, 7, 8};
        ConvTransposeSpec dense = ConvTransposeSpec.builder1d(2, 4, 1).bias(false).build();
        assertAllGive(new float[] {51, 102, 62, 124, 73, 146, 84, 168}, dense, new long[] {1, 2, 2}, x, wFull, null);
    }

    @Test
    void batchSamplesAreIndependent() {
        float[] x = {1, 2, -1, 0.5f};
        assertAllGive(new float[] {1, 10, 102, 20, 200, -1, -10, -99.5f, 5, 50}, oneD().stride(2).build(),
                new long[] {2, 1, 2}, x, W, null);
    }
}
