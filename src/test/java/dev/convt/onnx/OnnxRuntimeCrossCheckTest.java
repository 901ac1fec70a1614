package dev.convt.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.ConvTransposeSpec.AutoPad;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Layers;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime 1.23 against convt's references and layer on random 1-D, 2-D and 3-D geometries
 * with every parameter, asymmetric pads, auto_pad and output_shape included.
 *
 * <p>convt follows the ONNX operator spec: the total padding
 * {@code natural - out} (with {@code natural = (in-1)*stride + dilation*(k-1) + 1 +
 * output_padding}) is split with floor division, {@code total//2} at the start for SAME_UPPER and
 * {@code total - total//2} otherwise, as in the ONNX reference implementation, even when the total
 * is negative (the output then starts before the full result). Where ONNX Runtime departs from
 * that, the test asserts what it does instead, so a change on either side shows up. Observed with
 * 1.23.2:
 *
 * <ul>
 *   <li>With a non-negative total padding, odd or even, ONNX Runtime follows the spec exactly:
 *       SAME_UPPER puts the odd element of padding at the end, SAME_LOWER and NOTSET (with
 *       output_shape) at the start, as convt does. (Older versions put SAME_UPPER's extra element
 *       at the start; 1.23.2 does not, and these tests would catch its return.)
 *   <li>A negative total padding (output_shape above the natural size, or auto_pad SAME_* with a
 *       stride above the dilated kernel plus output_padding) is clamped to 0: the output starts at
 *       the full result's first element. With output_shape it keeps the requested size, the extra
 *       elements at the end; with SAME_* it has the natural size, not {@code in*stride}.
 *   <li>ONNX Runtime computes {@code W^T x} into a column buffer of {@code in} positions per axis and
 *       scatters it with col2im, which derives the position count from the output size instead:
 *       {@code (out + pads - extent) / stride + 1}. Whenever that exceeds {@code in} (an
 *       output_padding not below the stride, which PyTorch and the spec allow when it is below the
 *       dilation, or an output_shape at least a stride past the natural size) col2im reads past the
 *       buffer: the values are unspecified (NaN and garbage in 2-D). There only the output shape is
 *       asserted; PyTorch fixtures check convt on those geometries.
 * </ul>
 */
class OnnxRuntimeCrossCheckTest {

    /**
     * What ONNX Runtime computes for a geometry.
     *
     * @param geometry the geometry it actually computes (negative total padding clamped to 0)
     * @param readsPastColumnBuffer whether its col2im reads past its column buffer, so that
     *     only the shape of its result is defined
     */
    record OnnxRuntimeBehaviour(ConvTransposeGeometry geometry, boolean readsPastColumnBuffer) {

        static OnnxRuntimeBehaviour of(ConvTransposeGeometry g) {
            ConvTransposeSpec s = g.spec();
            boolean requested = s.requestedOutputW() >= 0;
            List<ConvTransposeGeometry.Axis> axes = new ArrayList<>();
            boolean readsPast = false;
            for (int a = 0; a < g.axes().size(); a++) {
                // A 1-D spec on a rank-4 input has one axis more than rules: its height of one row.
                int rule = a - (g.axes().size() - s.axes().size());
                int outputPadding = rule < 0 ? 0 : s.axes().get(rule).outputPadding();
                ConvTransposeGeometry.Axis axis = clampNegativeTotal(g.axes().get(a), outputPadding, requested);
                axes.add(axis);
                readsPast |= readsPast(axis, outputPadding);
            }
            return new OnnxRuntimeBehaviour(new ConvTransposeGeometry(s, g.batch(), axes), readsPast);
        }

        private static int natural(ConvTransposeGeometry.Axis a, int outputPadding) {
            return Math.toIntExact((a.in() - 1) * a.stride() + a.extent() + outputPadding);
        }

        private static ConvTransposeGeometry.Axis clampNegativeTotal(ConvTransposeGeometry.Axis a, int outputPadding,
                boolean outputShapeRequested) {
            int natural = natural(a, outputPadding);
            if (natural - a.out() >= 0) {
                return a;
            }
            return new ConvTransposeGeometry.Axis(a.in(), outputShapeRequested ? a.out() : natural, a.kernel(),
                    a.stride(), a.dilation(), 0);
        }

        /** col2im's position count {@code (out + pads - extent)/stride + 1} against the real {@code in}. */
        private static boolean readsPast(ConvTransposeGeometry.Axis a, int outputPadding) {
            int pads = Math.max(0, natural(a, outputPadding) - a.out());
            return (a.out() + pads - a.extent()) / a.stride() + 1 != a.in();
        }
    }

    @Test
    void onnxRuntimeAgreesWithConvt() {
        PropertyCheck.forAll(RandomCase.gen(RandomCase.Options.ALL)).tries(250).check(OnnxRuntimeCrossCheckTest::agree);
    }

    @Test
    void onnxRuntimeAgreesWithConvtIn3d() {
        PropertyCheck.forAll(RandomCase.gen(RandomCase.Options.THREE_D)).tries(80).check(OnnxRuntimeCrossCheckTest::agree);
    }

    private static void agree(RandomCase c) throws Exception {
        ConvTransposeGeometry g = c.geometry();
        OnnxRuntimeBehaviour behaviour = OnnxRuntimeBehaviour.of(g);
        DirectReference.Result convt = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), c.bias(), null);
        Tolerance.assertClose("layer on " + c, convt, c.spec(), Layers.forward(c));

        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(c.spec(), c.inputShape(), c.weights(), c.bias(), 1)) {
            assertArrayEquals(behaviour.geometry().outputShape(), peer.outputShape(),
                    () -> "ONNX Runtime output shape for " + c);
            float[] ort = peer.run(c.input());
            if (!behaviour.readsPastColumnBuffer()) {
                DirectReference.Result expected = DirectReference.forwardWithMagnitudes(behaviour.geometry(), c.input(),
                        c.weights(), c.bias(), null);
                Tolerance.assertClose("ONNX Runtime on " + c
                        + (behaviour.geometry().equals(g) ? "" : " (negative total padding clamped to 0)"),
                        expected, c.spec(), ort);
            }
        }
    }

    private static final float[] X = {1, 10, 100};
    private static final float[] W = {1, 2, 3};

    private static float[] onnxRuntime(ConvTransposeSpec spec) throws Exception {
        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(spec, new long[] {1, 1, 3}, W, null, 1)) {
            return peer.run(X);
        }
    }

    private static float[] convt(ConvTransposeSpec spec) {
        return DirectReference.forward(spec.geometry(1, 1, 3), X, W, null, null);
    }

    private static ConvTransposeSpec.Builder strideTwo() {
        return ConvTransposeSpec.builder1d(1, 1, 3).stride(2).bias(false);
    }

    /*
     * 1-D, x = (1, 10, 100), w = (1, 2, 3), stride 2. The full result has 7 elements: full
     * coordinate i*2 + k collects x[i]*w[k], giving [1, 2, 3+10, 20, 30+100, 200, 300].
     */

    @Test
    void sameUpperOddPaddingGoesAtTheEndInBoth() throws Exception {
        // Output 3*2 = 6 of 7: total padding 1, at the end for SAME_UPPER.
        ConvTransposeSpec spec = strideTwo().autoPad(AutoPad.SAME_UPPER).build();
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200}, convt(spec));
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200}, onnxRuntime(spec));
    }

    @Test
    void sameLowerOddPaddingGoesAtTheStartInBoth() throws Exception {
        ConvTransposeSpec spec = strideTwo().autoPad(AutoPad.SAME_LOWER).build();
        assertArrayEquals(new float[] {2, 13, 20, 130, 200, 300}, convt(spec));
        assertArrayEquals(new float[] {2, 13, 20, 130, 200, 300}, onnxRuntime(spec));
    }

    @Test
    void outputShapeWithOddPaddingFollowsTheSpecInBoth() throws Exception {
        // output_shape 6: total 1; without SAME_UPPER the spec puts it at the start.
        ConvTransposeSpec spec = strideTwo().outputShape(6).build();
        assertArrayEquals(new float[] {2, 13, 20, 130, 200, 300}, convt(spec));
        assertArrayEquals(new float[] {2, 13, 20, 130, 200, 300}, onnxRuntime(spec));
        ConvTransposeSpec upper = strideTwo().outputShape(6).autoPad(AutoPad.SAME_UPPER).build();
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200}, convt(upper));
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200}, onnxRuntime(upper));
    }

    @Test
    void outputShapeAboveTheNaturalSizeIsWhereOnnxRuntimeDeparts() throws Exception {
        // output_shape 8: total padding 7 - 8 = -1. SAME_UPPER by the spec: -1//2 = -1 at the
        // start, so the output starts one element before the full result; ONNX Runtime clamps
        // the total to 0 and appends the extra element instead.
        ConvTransposeSpec upper = strideTwo().outputShape(8).autoPad(AutoPad.SAME_UPPER).build();
        assertArrayEquals(new float[] {0, 1, 2, 13, 20, 130, 200, 300}, convt(upper));
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200, 300, 0}, onnxRuntime(upper));
        // Without SAME_UPPER the spec puts -1 - (-1//2) = 0 at the start: both agree.
        ConvTransposeSpec notSet = strideTwo().outputShape(8).build();
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200, 300, 0}, convt(notSet));
        assertArrayEquals(new float[] {1, 2, 13, 20, 130, 200, 300, 0}, onnxRuntime(notSet));
    }

    @Test
    void sameWithStrideAboveTheKernelIsWhereOnnxRuntimeChangesTheShape() throws Exception {
        // Kernel 1, stride 3: natural (3-1)*3 + 1 = 7, SAME wants 3*3 = 9, total padding -2.
        // The spec keeps 9 elements, one before and one after the full result [1,0,0,10,0,0,100];
        // ONNX Runtime clamps the padding and returns the 7 natural elements.
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(1, 1, 1).stride(3).bias(false)
                .autoPad(AutoPad.SAME_UPPER).build();
        float[] one = {1};
        assertArrayEquals(new float[] {0, 1, 0, 0, 10, 0, 0, 100, 0},
                DirectReference.forward(spec.geometry(1, 1, 3), X, one, null, null));
        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(spec, new long[] {1, 1, 3}, one, null, 1)) {
            assertArrayEquals(new long[] {1, 1, 7}, peer.outputShape());
            assertArrayEquals(new float[] {1, 0, 0, 10, 0, 0, 100}, peer.run(X));
        }
    }
}
