package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * The transposed convolution by its definition: every input element {@code x} scatters
 * {@code x*w} into its output window. Along an axis, input {@code i} and tap {@code k} reach full
 * coordinate {@code i*stride + k*dilation}, which is output index {@code full - padBegin}; taps
 * that fall outside {@code [0, out)} are dropped.
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
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
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
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
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
     * @param weights of shape {@code [Cin, Cout/groups, kH, kW]} (a 1-D spec also takes
     *     {@code [Cin, Cout/groups, kW]})
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
        ConvTransposeGeometry.Axis rows = g.height();
        ConvTransposeGeometry.Axis cols = g.width();
        int cin = g.spec().inChannels();
        int cout = g.spec().outChannels();
        int count = (int) g.outputCount();
        double[] sums = new double[count];
        double[] magnitudes = new double[count];
        for (int n = 0; n < g.batch(); n++) {
            for (int ci = 0; ci < cin; ci++) {
                int group = ci / op.inPerGroup();
                for (int iy = 0; iy < rows.in(); iy++) {
                    for (int ix = 0; ix < cols.in(); ix++) {
                        double x = op.input()[op.inputIndex(n, ci, iy, ix)];
                        for (int co = group * op.outPerGroup(); co < (group + 1) * op.outPerGroup(); co++) {
                            for (int ky = 0; ky < rows.kernel(); ky++) {
                                long oy = (long) iy * rows.stride() + (long) ky * rows.dilation() - rows.padBegin();
                                if (oy < 0 || oy >= rows.out()) {
                                    continue;
                                }
                                for (int kx = 0; kx < cols.kernel(); kx++) {
                                    long ox = (long) ix * cols.stride() + (long) kx * cols.dilation() - cols.padBegin();
                                    if (ox < 0 || ox >= cols.out()) {
                                        continue;
                                    }
                                    double product = x * op.weights()[op.weightIndex(ci, co, ky, kx)];
                                    int o = op.outputIndex(n, co, (int) oy, (int) ox);
                                    sums[o] += product;
                                    magnitudes[o] += Math.abs(product);
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] output = op.finish(sums);
        if (op.bias() != null) {
            int plane = rows.out() * cols.out();
            for (int o = 0; o < count; o++) {
                double b = op.bias()[o / plane % cout];
                sums[o] += b;
                magnitudes[o] += Math.abs(b);
            }
        }
        return new Result(output, magnitudes, sums);
    }
}
