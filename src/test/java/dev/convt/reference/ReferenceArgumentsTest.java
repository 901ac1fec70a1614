package dev.convt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The references refuse operands that do not fit, with messages that say what is wrong. */
class ReferenceArgumentsTest {

    private static final ConvTransposeSpec SPEC = ConvTransposeSpec.builder(4, 6, 2, 2).groups(2).build();
    private static final ConvTransposeGeometry G = SPEC.geometry(1, 4, 2, 3);

    private static void assertRejected(Executable action, String... messageParts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
        }
    }

    @Test
    void arrayLengthsMustFitTheGeometry() {
        float[] x = new float[24];
        float[] w = new float[4 * 3 * 4];
        float[] b = new float[6];
        assertRejected(() -> DirectReference.forward(G, new float[23], w, b, null), "input has 23 floats", "holds 24");
        assertRejected(() -> FourStepReference.forward(G, x, new float[47], b, null), "weights has 47 floats",
                "holds 48");
        assertRejected(() -> DirectReference.forward(G, x, w, new float[5], null), "bias has 5 floats", "Cout 6");
        ConvTransposeGeometry noBias = ConvTransposeSpec.builder(4, 6, 2, 2).groups(2).bias(false).build()
                .geometry(1, 4, 2, 3);
        assertRejected(() -> DirectReference.forward(noBias, x, w, b, null), "bias given", "bias=false");
        assertThrows(NullPointerException.class, () -> DirectReference.forward(G, null, w, b, null));
    }

    @Test
    void tensorShapesMustFitTheGeometry() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, 1, 4, 2, 3);
            Tensor w = Tensor.allocate(arena, 4, 3, 2, 2);
            Tensor b = Tensor.allocate(arena, 6);
            assertArrayEquals(new long[] {1, 6, 3, 4},
                    DirectReference.forward(G, x, w, b, Epilogue.NONE, arena).shape());
            assertRejected(() -> DirectReference.forward(G, Tensor.allocate(arena, 1, 4, 3, 2), w, b, null, arena),
                    "input shape (1, 4, 3, 2)");
            assertRejected(() -> FourStepReference.forward(G, x, Tensor.allocate(arena, 4, 6, 2, 2), b, null, arena),
                    "weights shape (4, 6, 2, 2)");
            assertRejected(() -> DirectReference.forward(G, x, w, Tensor.allocate(arena, 1, 6), null, arena),
                    "bias shape (1, 6)");
        }
    }

    @Test
    void seedStepsSliceMustBeOneGroup() {
        float[] x = new float[24];
        float[] w = new float[48];
        // Input channels 0-1 feed output channels 0-2 (group 0); 2-3 feed 3-5.
        FourStepReference.steps(G, x, w, 0, 1, 2);
        assertRejected(() -> FourStepReference.steps(G, x, w, 0, 1, 3), "input channel 1 (group 0)",
                "output channel 3 (group 1)");
        assertThrows(IndexOutOfBoundsException.class, () -> FourStepReference.steps(G, x, w, 1, 0, 0));
        assertRejected(() -> FourStepReference.steps(G.height(), G.width(), new float[2][2], new float[2][2]),
                "plane row 0 has 2 columns, expected 3");
        assertRejected(() -> FourStepReference.steps(G.height(), G.width(), new float[2][3], new float[3][2]),
                "kernel has 3 rows, expected 2");
    }

    @Test
    void conv2dParametersAndShapes() {
        assertRejected(() -> Conv2dReference.Params.of(0, 0, 1, 1), "strideH 0");
        assertRejected(() -> new Conv2dReference.Params(1, 1, 0, 0, 0, 0, 1, 0, 1), "dilationW 0");
        assertRejected(() -> Conv2dReference.Params.of(1, 0, 1, 0), "groups 0");
        Conv2dReference.Params p = Conv2dReference.Params.of(1, 0, 1, 2);
        assertRejected(() -> Conv2dReference.outputShape(new long[] {1, 3, 4, 4}, new long[] {2, 3, 3, 3}, p),
                "groups 2", "input channels 3");
        assertRejected(() -> Conv2dReference.outputShape(new long[] {1, 4, 4, 4}, new long[] {2, 4, 3, 3}, p),
                "Cin/groups = 2");
        assertRejected(() -> Conv2dReference.outputShape(new long[] {1, 4, 2, 4}, new long[] {2, 2, 3, 3}, p),
                "output height < 1");
        assertRejected(() -> Conv2dReference.outputShape(new long[] {1, 4, 4}, new long[] {2, 2, 3, 3}, p), "rank 4");
        assertRejected(() -> Conv2dReference.forward(new float[5], new long[] {1, 4, 4, 4}, new float[36],
                new long[] {2, 2, 3, 3}, null, p), "input has 5 floats");
        // G's output (1, 6, 3, 4) is the adjoint's input, its weights (4, 3, 2, 2) the adjoint's.
        assertRejected(() -> Conv2dReference.adjoint(G, new float[24], new float[48]), "y has 24 floats",
                "output shape (1, 6, 3, 4) holds 72");
        assertRejected(() -> Conv2dReference.adjoint(G, new float[72], new float[47]), "weights has 47 floats",
                "weight shape (4, 3, 2, 2) holds 48");
    }

    @Test
    void conv2dWithNegativePaddingCrops() {
        // 1x4 input, kernel 1, pads -1 at both ends of the width: the middle two elements.
        float[] y = Conv2dReference.forward(new float[] {1, 2, 3, 4}, new long[] {1, 1, 1, 4}, new float[] {10},
                new long[] {1, 1, 1, 1}, new float[] {0.5f}, new Conv2dReference.Params(1, 1, 0, -1, 0, -1, 1, 1, 1));
        assertArrayEquals(new float[] {20.5f, 30.5f}, y);
    }

    @Test
    void matrixViewRefusesHugeMatrices() {
        ConvTransposeGeometry big = ConvTransposeSpec.builder(8, 8, 3, 3).build().geometry(1, 8, 64, 64);
        assertRejected(() -> ConvolutionMatrix.ofTransposed(big, new float[8 * 8 * 9]), "exceeds the limit",
                "small examples");
        assertRejected(() -> ConvolutionMatrix.ofConvolution(new long[] {1, 100000, 100000}, new float[9],
                new long[] {1, 1, 3, 3}, Conv2dReference.Params.of(1, 0, 1, 1)), "exceeds the limit");
        assertRejected(() -> ConvolutionMatrix.ofTransposed(G, new float[3]), "weights has 3 floats");
        ConvolutionMatrix m = ConvolutionMatrix.ofTransposed(G, new float[48]);
        assertRejected(() -> m.multiply(new float[3]), "x has 3 values", "expected " + m.columns());
        assertRejected(() -> m.multiplyTransposed(new float[3]), "y has 3 values", "expected " + m.rows());
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(m.rows(), 0));
    }
}
