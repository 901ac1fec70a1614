package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Objects;

/**
 * The transposed convolution by its definition: every input element {@code x} scatters
 * {@code x*w} into its output window. Along an axis, input {@code i} and tap {@code k} reach full
 * coordinate {@code i*stride + k*dilation}, which is output index {@code full - padBegin}; taps
 * that fall outside {@code [0, out)} along any axis are dropped. One loop serves 1, 2 and 3
 * spatial axes: positions and taps are C-order indices over the geometry's axes.
 *
 * <p>Sums are kept in {@code double}; the bias is added, the sum rounded once to {@code float},
 * then the epilogue applied. The algorithm shares nothing with {@link FourStepReference} (no
 * zero insertion, padding or flipping), so the two check each other.
 */
public final class DirectReference {

    private DirectReference() {}

    /**
     * An output together with the sizes of the terms that were summed into it, from which a
     * test derives how far a float32 implementation may differ.
     *
     * @param output the result in C order, as {@link #forward(ConvTransposeGeometry, float[], float[], float[],
     *     Epilogue)} returns it
     * @param magnitudes per output element, {@code |bias| + sum |x*w|} over the products that
     *     reach it, in double. Any float32 summation of those terms in any order is within about
     *     {@code (terms+1) * 2^-24 * magnitude} of the exact sum; the epilogues are Lipschitz with
     *     constant {@code max(1, |slope|)}, so the same bound times that constant holds after them.
     * @param exact per output element, the double sum including bias, before rounding and the
     *     epilogue
     */
    public record Result(float[] output, double[] magnitudes, double[] exact) {}

    /**
     * The whole transposed convolution.
     *
     * @param geometry the resolved transposed convolution
     * @param input the input in C order, {@link ConvTransposeGeometry#inputShape()}
     * @param weights {@code [Cin, Cout/groups, kernel...]} in C order
     * @param bias {@code Cout} floats, or null for none (only null when the spec has no bias)
     * @param epilogue applied after the bias, or null for none
     * @return the output in C order, {@link ConvTransposeGeometry#outputShape()}
     * @throws IllegalArgumentException if an array's length does not fit the geometry
     */
    public static float[] forward(ConvTransposeGeometry geometry, float[] input, float[] weights, float[] bias,
            Epilogue epilogue) {
        return compute(Operands.of(geometry, input, weights, bias, epilogue)).output();
    }

    /**
     * The whole transposed convolution, with the magnitude of each output's terms.
     *
     * @param geometry the resolved transposed convolution
     * @param input the input in C order, {@link ConvTransposeGeometry#inputShape()}
     * @param weights {@code [Cin, Cout/groups, kernel...]} in C order
     * @param bias {@code Cout} floats, or null for none (only null when the spec has no bias)
     * @param epilogue applied after the bias, or null for none
     * @return the output, magnitudes and exact sums
     * @throws IllegalArgumentException if an array's length does not fit the geometry
     */
    public static Result forwardWithMagnitudes(ConvTransposeGeometry geometry, float[] input, float[] weights,
            float[] bias, Epilogue epilogue) {
        return compute(Operands.of(geometry, input, weights, bias, epilogue));
    }

    /**
     * The whole transposed convolution on tensors.
     *
     * @param geometry the resolved transposed convolution
     * @param input of shape {@link ConvTransposeGeometry#inputShape()}
     * @param weights of shape {@link dev.convt.ConvTransposeSpec#weightShape()} (a 1-D spec also takes
     *     {@code [Cin, Cout/groups, 1, kW]})
     * @param bias of shape {@code [Cout]}, or null for none
     * @param epilogue applied after the bias, or null for none
     * @param arena where the output is allocated
     * @return the output, of shape {@link ConvTransposeGeometry#outputShape()}
     * @throws IllegalArgumentException if a shape does not fit the geometry
     */
    public static Tensor forward(ConvTransposeGeometry geometry, Tensor input, Tensor weights, Tensor bias,
            Epilogue epilogue, Arena arena) {
        Objects.requireNonNull(arena, "arena");
        float[] out = compute(Operands.of(geometry, input, weights, bias, epilogue)).output();
        return Tensor.of(arena, out, geometry.outputShape());
    }

    private static Result compute(Operands op) {
        ConvTransposeGeometry g = op.geometry();
        List<ConvTransposeGeometry.Axis> axes = g.axes();
        int cin = g.spec().inChannels();
        int cout = g.spec().outChannels();
        int[] inShape = op.sizes(ConvTransposeGeometry.Axis::in);
        int[] kernelShape = op.kernelShape();
        int inPlane = Operands.count(inShape);
        int taps = Operands.count(kernelShape);
        int count = (int) g.outputCount();
        double[] sums = new double[count];
        double[] magnitudes = new double[count];
        for (int n = 0; n < g.batch(); n++) {
            for (int ci = 0; ci < cin; ci++) {
                int group = ci / op.inPerGroup();
                for (int p = 0; p < inPlane; p++) {
                    int[] i = Operands.coordinates(p, inShape);
                    double x = op.input()[op.inputIndex(n, ci, p)];
                    for (int t = 0; t < taps; t++) {
                        int[] k = Operands.coordinates(t, kernelShape);
                        int position = outputPosition(axes, i, k);
                        if (position < 0) {
                            continue;
                        }
                        for (int co = group * op.outPerGroup(); co < (group + 1) * op.outPerGroup(); co++) {
                            double product = x * op.weights()[op.weightIndex(ci, co, t)];
                            int o = op.outputIndex(n, co, position);
                            sums[o] += product;
                            magnitudes[o] += Math.abs(product);
                        }
                    }
                }
            }
        }
        float[] output = op.finish(sums);
        if (op.bias() != null) {
            long plane = g.outputPlane();
            for (int o = 0; o < count; o++) {
                double b = op.bias()[(int) (o / plane % cout)];
                sums[o] += b;
                magnitudes[o] += Math.abs(b);
            }
        }
        return new Result(output, magnitudes, sums);
    }

    /**
     * Where input {@code i} and tap {@code k} land: per axis {@code i*stride + k*dilation - padBegin}.
     *
     * @return the output position in C order over the axes, or -1 if it is outside the output
     */
    private static int outputPosition(List<ConvTransposeGeometry.Axis> axes, int[] i, int[] k) {
        long position = 0;
        for (int a = 0; a < axes.size(); a++) {
            ConvTransposeGeometry.Axis axis = axes.get(a);
            long o = (long) i[a] * axis.stride() + (long) k[a] * axis.dilation() - axis.padBegin();
            if (o < 0 || o >= axis.out()) {
                return -1;
            }
            position = position * axis.out() + o;
        }
        return (int) position;
    }
}
