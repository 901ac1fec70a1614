package dev.convt.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.testing.Gen;
import dev.convt.testing.Layers;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.Tolerance;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The references against each other, the adjoint identity and the matrix view, and the fast
 * layer against the references, over random geometries covering every parameter.
 */
class ReferencePropertiesTest {

    private static final Gen<RandomCase> CASES = RandomCase.gen(RandomCase.Options.ALL);

    /** A case and a seed for the other operand of an inner product. */
    private record WithSeed(RandomCase c, long seed) {}

    private static final Gen<WithSeed> CASES_AND_SEEDS = s -> new WithSeed(CASES.draw(s), s.nextLong());

    /**
     * Both references sum in double and round once, so they may differ only where the two double
     * sums round to different floats: by one float ulp, plus the double sums' own error.
     */
    private static void assertSameRounding(String what, DirectReference.Result direct, float[] actual) {
        for (int i = 0; i < actual.length; i++) {
            double exact = direct.exact()[i];
            double allowed = Math.ulp((float) exact) + 0x1p-40 * direct.magnitudes()[i];
            if (!(Math.abs(actual[i] - exact) <= allowed)) {
                fail(what + ": element " + i + " is " + actual[i] + ", exact " + exact);
            }
        }
    }

    @Test
    void seedStepsAgreeWithDirectDefinition() {
        PropertyCheck.forAll(CASES).tries(400).check(ReferencePropertiesTest::seedStepsAgreeWithDirectDefinitionOn);
    }

    private static void seedStepsAgreeWithDirectDefinitionOn(RandomCase c) {
        ConvTransposeGeometry g = c.geometry();
        DirectReference.Result direct = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), c.bias(), null);
        float[] steps = FourStepReference.forward(g, c.input(), c.weights(), c.bias(), null);
        assertEquals(g.outputCount(), steps.length, c::toString);
        assertSameRounding(c.toString(), direct, steps);
        assertArrayEquals(direct.output(), DirectReference.forward(g, c.input(), c.weights(), c.bias(), null), c::toString);
    }

    @Test
    void layerAgreesWithReferences() {
        PropertyCheck.forAll(CASES).tries(400).check(ReferencePropertiesTest::layerAgreesWithReferencesOn);
    }

    private static void layerAgreesWithReferencesOn(RandomCase c) {
        DirectReference.Result direct = DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                c.bias(), null);
        Tolerance.assertClose("layer on " + c, direct, c.spec(), Layers.forward(c));
    }

    @Test
    void seedStepsMapsHaveTheSizesOfTheMethod() {
        PropertyCheck.forAll(CASES).tries(300).check(ReferencePropertiesTest::seedStepsMapsHaveTheSizesOfTheMethodOn);
    }

    private static void seedStepsMapsHaveTheSizesOfTheMethodOn(RandomCase c) {
        ConvTransposeGeometry g = c.geometry();
        ConvTransposeGeometry.Axis h = g.height();
        ConvTransposeGeometry.Axis w = g.width();
        int ci = c.spec().inChannels() - 1;
        int co = c.spec().outChannels() - 1;
        FourStepReference.Steps s = FourStepReference.steps(g, c.input(), c.weights(), 0, ci, co);
        assertEquals((h.in() - 1) * h.stride() + 1, s.zeroInserted().length);
        assertEquals((w.in() - 1) * w.stride() + 1, s.zeroInserted()[0].length);
        assertEquals(h.dilation() * (h.kernel() - 1) - h.padBegin(), s.padTop());
        assertEquals(w.dilation() * (w.kernel() - 1) - w.padBegin(), s.padLeft());
        // The padded map is exactly what a valid stride-1 convolution shrinks to the output size.
        assertEquals(h.out() + h.extent() - 1, s.padded().length);
        assertEquals(w.out() + w.extent() - 1, s.padded()[0].length);
        assertEquals(s.padded().length, s.padTop() + s.zeroInserted().length + s.padBottom());
        assertEquals(s.padded()[0].length, s.padLeft() + s.zeroInserted()[0].length + s.padRight());
        // PyTorch's form of the bottom padding: dilation*(k-1) - padEnd (+ output_padding).
        assertEquals(h.dilation() * (h.kernel() - 1) - h.padEnd(), s.padBottom());
        assertEquals(w.dilation() * (w.kernel() - 1) - w.padEnd(), s.padRight());
        for (int a = 0; a < h.kernel(); a++) {
            for (int b = 0; b < w.kernel(); b++) {
                assertEquals(s.kernel()[h.kernel() - 1 - a][w.kernel() - 1 - b], s.flippedKernel()[a][b]);
            }
        }
        assertEquals(h.out(), s.contribution().length);
        assertEquals(w.out(), s.contribution()[0].length);
    }

    /**
     * {@code <convT(x), y> = <x, conv(y)>}: the ordinary convolution with the same weights,
     * stride, dilation, groups and pads {@code (padBegin, padEnd)} is the adjoint, for every
     * geometry including output_padding and output_shape (negative pads there, which crop).
     * Each output is correctly rounded, so the two inner products differ by at most about
     * {@code 2^-24} of the sums of their terms' magnitudes.
     */
    @Test
    void transposedConvolutionIsTheAdjointOfConvolution() {
        PropertyCheck.forAll(CASES_AND_SEEDS).tries(300)
                .check(t -> transposedConvolutionIsTheAdjointOfConvolutionOn(t.c(), t.seed()));
    }

    private static void transposedConvolutionIsTheAdjointOfConvolutionOn(RandomCase c, long seed) {
        ConvTransposeGeometry g = c.geometry();
        ConvTransposeSpec spec = c.spec();
        long[] outShape = {g.batch(), spec.outChannels(), g.height().out(), g.width().out()};
        float[] y = RandomFloats.uniform(new Random(seed), (int) g.outputCount());

        Conv2dReference.Params params = new Conv2dReference.Params(g.height().stride(), g.width().stride(),
                g.height().padBegin(), g.width().padBegin(), (int) g.height().padEnd(), (int) g.width().padEnd(),
                g.height().dilation(), g.width().dilation(), spec.groups());
        long[] weightShape = {spec.inChannels(), spec.outChannels() / spec.groups(), spec.kernelH(), spec.kernelW()};
        assertArrayEquals(new long[] {g.batch(), spec.inChannels(), g.height().in(), g.width().in()},
                Conv2dReference.outputShape(outShape, weightShape, params), c::toString);
        float[] conv = Conv2dReference.forward(y, outShape, c.weights(), weightShape, null, params);
        // The same sums in the same order: the geometry's adjoint is the 2-D convolution to the bit.
        assertArrayEquals(conv, Conv2dReference.adjoint(g, y, c.weights()), c::toString);
        assertAdjoint(c, y, conv);
    }

    /** {@code <convT(x), y> = <x, conv>} within the rounding of the two sides' correctly rounded outputs. */
    private static void assertAdjoint(RandomCase c, float[] y, float[] conv) {
        float[] convT = DirectReference.forward(c.geometry(), c.input(), c.weights(), null, null);
        double lhs = 0;
        double lhsMagnitude = 0;
        for (int i = 0; i < convT.length; i++) {
            lhs += (double) convT[i] * y[i];
            lhsMagnitude += Math.abs((double) convT[i] * y[i]);
        }
        double rhs = 0;
        double rhsMagnitude = 0;
        for (int i = 0; i < conv.length; i++) {
            rhs += (double) c.input()[i] * conv[i];
            rhsMagnitude += Math.abs((double) c.input()[i] * conv[i]);
        }
        double tolerance = 1e-6 * (lhsMagnitude + rhsMagnitude) + 1e-12;
        if (!(Math.abs(lhs - rhs) <= tolerance)) {
            fail("<convT(x), y> = " + lhs + " but <x, conv(y)> = " + rhs + " for " + c);
        }
    }

    @Test
    void transposedMatrixIsTheTransposedConvolution() {
        Gen<RandomCase> small = RandomCase.gen(RandomCase.Options.ALL.maxSpatial(4));
        PropertyCheck.forAll(s -> new WithSeed(small.draw(s), s.nextLong())).tries(150)
                .check(t -> matrixViewOn(t.c(), t.seed()));
    }

    private static final Gen<RandomCase> CASES_3D = RandomCase.gen(RandomCase.Options.THREE_D);

    @Test
    void fourStepsAgreeWithDirectDefinitionIn3d() {
        PropertyCheck.forAll(CASES_3D).tries(150).check(ReferencePropertiesTest::seedStepsAgreeWithDirectDefinitionOn);
    }

    /** The adjoint identity over three axes, each with its own stride, padding and dilation. */
    @Test
    void transposedConvolutionIsTheAdjointOfConvolutionIn3d() {
        PropertyCheck.forAll(s -> new WithSeed(CASES_3D.draw(s), s.nextLong())).tries(150).check(t -> {
            ConvTransposeGeometry g = t.c().geometry();
            float[] y = RandomFloats.uniform(new Random(t.seed()), (int) g.outputCount());
            float[] conv = Conv2dReference.adjoint(g, y, t.c().weights());
            assertEquals(g.inputCount(), conv.length, t.c()::toString);
            assertAdjoint(t.c(), y, conv);
        });
    }

    @Test
    void layerAgreesWithReferencesIn3d() {
        PropertyCheck.forAll(CASES_3D).tries(150).check(ReferencePropertiesTest::layerAgreesWithReferencesOn);
    }

    @Test
    void fourStepMapsHaveTheSizesOfTheMethodIn3d() {
        PropertyCheck.forAll(CASES_3D).tries(100).check(ReferencePropertiesTest::fourStepMapsIn3dOn);
    }

    private static void fourStepMapsIn3dOn(RandomCase c) {
        ConvTransposeGeometry g = c.geometry();
        int ci = c.spec().inChannels() - 1;
        int co = c.spec().outChannels() - 1;
        FourStepReference.FlatSteps s = FourStepReference.flatSteps(g, c.input(), c.weights(), 0, ci, co);
        for (int a = 0; a < 3; a++) {
            ConvTransposeGeometry.Axis axis = g.axes().get(a);
            assertEquals((axis.in() - 1) * axis.stride() + 1, s.zeroInsertedShape()[a], c::toString);
            assertEquals(axis.dilation() * (axis.kernel() - 1) - axis.padBegin(), s.padBegin()[a], c::toString);
            assertEquals(axis.dilation() * (axis.kernel() - 1) - axis.padEnd(), s.padEnd()[a], c::toString);
            assertEquals(axis.out() + axis.extent() - 1, s.paddedShape()[a], c::toString);
            assertEquals(s.paddedShape()[a], s.padBegin()[a] + s.zeroInsertedShape()[a] + s.padEnd()[a], c::toString);
            assertEquals(axis.out(), s.contributionShape()[a], c::toString);
        }
        // The input element (i, j, l) sits at (i*sD, j*sH, l*sW) of the zero-inserted map; all else is 0.
        int[] in = s.inputShape();
        int[] z = s.zeroInsertedShape();
        float[] expected = new float[s.zeroInserted().length];
        for (int i = 0; i < in[0]; i++) {
            for (int j = 0; j < in[1]; j++) {
                for (int l = 0; l < in[2]; l++) {
                    int at = ((i * g.axes().get(0).stride()) * z[1] + j * g.axes().get(1).stride()) * z[2]
                            + l * g.axes().get(2).stride();
                    expected[at] = s.input()[(i * in[1] + j) * in[2] + l];
                }
            }
        }
        assertArrayEquals(expected, s.zeroInserted(), c::toString);
        // The flipped kernel: tap (a, b, d) of the flipped is tap (kD-1-a, kH-1-b, kW-1-d) of the given.
        int[] k = s.kernelShape();
        for (int a = 0; a < k[0]; a++) {
            for (int b = 0; b < k[1]; b++) {
                for (int d = 0; d < k[2]; d++) {
                    assertEquals(s.kernel()[((k[0] - 1 - a) * k[1] + k[1] - 1 - b) * k[2] + k[2] - 1 - d],
                            s.flippedKernel()[(a * k[1] + b) * k[2] + d], c::toString);
                }
            }
        }
    }

    /** The matrix view over three axes, as {@link #transposedMatrixIsTheTransposedConvolution} over one or two. */
    @Test
    void matrixViewIn3d() {
        Gen<RandomCase> small = RandomCase.gen(RandomCase.Options.THREE_D.maxSpatial(2));
        PropertyCheck.forAll(s -> new WithSeed(small.draw(s), s.nextLong())).tries(80)
                .check(t -> matrixViewOn(t.c(), t.seed()));
    }

    /**
     * {@code C}<sup>T</sup>{@code x} is the transposed convolution of each sample, {@code C y}
     * the reference convolution of {@code y}, and {@code <convT(x), y> = <x, C y>}.
     */
    private static void matrixViewOn(RandomCase c, long seed) {
        ConvTransposeGeometry g = c.geometry();
        ConvTransposeSpec spec = c.spec();
        ConvolutionMatrix m = ConvolutionMatrix.ofTransposed(g, c.weights());
        int inPerSample = (int) (spec.inChannels() * g.inputPlane());
        int outPerSample = (int) (spec.outChannels() * g.outputPlane());
        assertEquals(inPerSample, m.rows());
        assertEquals(outPerSample, m.columns());
        DirectReference.Result direct = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), null, null);
        float[] y = RandomFloats.uniform(new Random(seed), outPerSample);
        float[] conv = m.multiply(y);
        // C y is the adjoint convolution of y: both sum the same products in double and round once.
        float[] adjoint = Conv2dReference.adjoint(c.spec().geometry(withBatch1(g.inputShape())), y, c.weights());
        for (int i = 0; i < conv.length; i++) {
            assertEquals(adjoint[i], conv[i], Math.ulp(adjoint[i]) + 1e-6f, "C y element " + i + " of " + c);
        }
        for (int n = 0; n < g.batch(); n++) {
            float[] x = Arrays.copyOfRange(c.input(), n * inPerSample, (n + 1) * inPerSample);
            DirectReference.Result sample = new DirectReference.Result(
                    Arrays.copyOfRange(direct.output(), n * outPerSample, (n + 1) * outPerSample),
                    Arrays.copyOfRange(direct.magnitudes(), n * outPerSample, (n + 1) * outPerSample),
                    Arrays.copyOfRange(direct.exact(), n * outPerSample, (n + 1) * outPerSample));
            assertSameRounding("C^T x, sample " + n + " of " + c, sample, m.multiplyTransposed(x));
            double lhs = 0;
            double magnitude = 0;
            for (int i = 0; i < outPerSample; i++) {
                lhs += (double) sample.output()[i] * y[i];
                magnitude += Math.abs((double) sample.output()[i] * y[i]);
            }
            double rhs = 0;
            for (int i = 0; i < inPerSample; i++) {
                rhs += (double) x[i] * conv[i];
                magnitude += Math.abs((double) x[i] * conv[i]);
            }
            if (!(Math.abs(lhs - rhs) <= 1e-6 * magnitude + 1e-12)) {
                fail("<convT(x), y> = " + lhs + " but <x, C y> = " + rhs + " for sample " + n + " of " + c);
            }
        }
    }

    private static long[] withBatch1(long[] shape) {
        long[] s = shape.clone();
        s[0] = 1;
        return s;
    }
}
