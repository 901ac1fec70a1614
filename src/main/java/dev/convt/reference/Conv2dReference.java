package dev.convt.reference;

import java.util.Arrays;
import java.util.Objects;

/**
 * The ordinary 2-D convolution (PyTorch {@code Conv2d}, which is a cross-correlation): NCHW input,
 * weights {@code [Cout, Cin/groups, kH, kW]}, per-axis stride, padding and dilation, groups.
 *
 * <p>It is the adjoint of the transposed convolution: with the transposed convolution's weights
 * {@code [Cin, Cout/groups, kH, kW]} read as this convolution's {@code [Cout', Cin'/groups, kH, kW]}
 * (the same array; channel roles swap), its stride, dilation and groups, and padding
 * {@code (padBegin, padEnd)} of each geometry axis, it maps the transposed convolution's output
 * shape back to its input shape, and {@code <conv(y), x> = <y, convT(x)>}.
 *
 * <p>Padding may be negative, which crops the input instead: that is the adjoint of a transposed
 * convolution whose {@code output_padding} or ONNX {@code output_shape} extends its output past
 * the natural size. Sums are kept in {@code double} and rounded once.
 */
public final class Conv2dReference {

    private Conv2dReference() {}

    /**
     * The convolution's parameters.
     *
     * @param strideH row stride, at least 1
     * @param strideW column stride, at least 1
     * @param padTop rows of zeros above the input (negative: rows cropped)
     * @param padLeft columns of zeros left of the input (negative: columns cropped)
     * @param padBottom rows of zeros below the input (negative: rows cropped)
     * @param padRight columns of zeros right of the input (negative: columns cropped)
     * @param dilationH row spacing of kernel taps, at least 1
     * @param dilationW column spacing of kernel taps, at least 1
     * @param groups at least 1, dividing both channel counts
     */
    public record Params(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
            int dilationH, int dilationW, int groups) {

        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException if a stride, dilation or the group count is below 1
         */
        public Params {
            positive("strideH", strideH);
            positive("strideW", strideW);
            positive("dilationH", dilationH);
            positive("dilationW", dilationW);
            positive("groups", groups);
        }

        /**
         * PyTorch's {@code Conv2d(stride=s, padding=p, dilation=d, groups=g)}.
         *
         * @param stride both strides
         * @param padding on all four sides
         * @param dilation both dilations
         * @param groups groups
         * @return the parameters
         */
        public static Params of(int stride, int padding, int dilation, int groups) {
            return new Params(stride, stride, padding, padding, padding, padding, dilation, dilation, groups);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " " + value + " must be at least 1");
            }
        }
    }

    /**
     * The output shape, {@code floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1}
     * per axis.
     *
     * @param inputShape {@code (N, Cin, H, W)}
     * @param weightShape {@code (Cout, Cin/groups, kH, kW)}
     * @param params the parameters
     * @return {@code (N, Cout, OH, OW)}
     * @throws IllegalArgumentException if the shapes do not fit each other or an output size is
     *     below 1
     */
    public static long[] outputShape(long[] inputShape, long[] weightShape, Params params) {
        Objects.requireNonNull(params, "params");
        requireRank("inputShape", inputShape);
        requireRank("weightShape", weightShape);
        for (long d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("inputShape " + Arrays.toString(inputShape) + " has a dimension below 1");
            }
        }
        for (long d : weightShape) {
            if (d < 1) {
                throw new IllegalArgumentException("weightShape " + Arrays.toString(weightShape) + " has a dimension below 1");
            }
        }
        int g = params.groups();
        if (inputShape[1] % g != 0 || weightShape[0] % g != 0) {
            throw new IllegalArgumentException("groups " + g + " must divide input channels " + inputShape[1]
                    + " and output channels " + weightShape[0]);
        }
        if (weightShape[1] != inputShape[1] / g) {
            throw new IllegalArgumentException("weightShape " + Arrays.toString(weightShape) + " needs Cin/groups = "
                    + inputShape[1] / g + " in dimension 1 for input " + Arrays.toString(inputShape));
        }
        long oh = outSize("height", inputShape[2], weightShape[2], params.strideH(), params.padTop(), params.padBottom(),
                params.dilationH());
        long ow = outSize("width", inputShape[3], weightShape[3], params.strideW(), params.padLeft(), params.padRight(),
                params.dilationW());
        return new long[] {inputShape[0], weightShape[0], oh, ow};
    }

    private static long outSize(String axis, long in, long k, int stride, int padBegin, int padEnd, int dilation) {
        long span = in + padBegin + padEnd - dilation * (k - 1) - 1;
        if (span < 0) {
            throw new IllegalArgumentException("output " + axis + " < 1: input " + axis + " " + in + " with pads "
                    + padBegin + "," + padEnd + " is smaller than the dilated kernel " + (dilation * (k - 1) + 1));
        }
        return span / stride + 1;
    }

    private static void requireRank(String name, long[] shape) {
        Objects.requireNonNull(shape, name);
        if (shape.length != 4) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(shape) + " must have rank 4");
        }
    }

    /**
     * The convolution.
     *
     * @param input in C order, {@code inputShape}
     * @param inputShape {@code (N, Cin, H, W)}
     * @param weights in C order, {@code weightShape}
     * @param weightShape {@code (Cout, Cin/groups, kH, kW)}
     * @param bias {@code Cout} floats, or null for none
     * @param params the parameters
     * @return the output in C order, of {@link #outputShape}
     * @throws IllegalArgumentException if the arrays or shapes do not fit each other
     */
    public static float[] forward(float[] input, long[] inputShape, float[] weights, long[] weightShape, float[] bias,
            Params params) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(weights, "weights");
        long[] outShape = outputShape(inputShape, weightShape, params);
        requireLength("input", input, inputShape);
        requireLength("weights", weights, weightShape);
        if (count(outShape) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output shape " + Arrays.toString(outShape) + " is too large for a Java array");
        }
        if (bias != null && bias.length != weightShape[0]) {
            throw new IllegalArgumentException("bias has " + bias.length + " floats, expected Cout " + weightShape[0]);
        }
        int batch = (int) inputShape[0];
        int cin = (int) inputShape[1];
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        int cout = (int) weightShape[0];
        int cinPerGroup = (int) weightShape[1];
        int kh = (int) weightShape[2];
        int kw = (int) weightShape[3];
        int oh = (int) outShape[2];
        int ow = (int) outShape[3];
        int coutPerGroup = cout / params.groups();
        float[] out = new float[batch * cout * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < cout; co++) {
                int firstIn = co / coutPerGroup * cinPerGroup;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = bias == null ? 0 : bias[co];
                        for (int c = 0; c < cinPerGroup; c++) {
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * params.strideH() - params.padTop() + ky * params.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * params.strideW() - params.padLeft() + kx * params.dilationW();
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    sum += (double) input[((n * cin + firstIn + c) * h + iy) * w + ix]
                                            * weights[((co * cinPerGroup + c) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        out[((n * cout + co) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
        return out;
    }

    private static void requireLength(String name, float[] a, long[] shape) {
        if (a.length != count(shape)) {
            throw new IllegalArgumentException(name + " has " + a.length + " floats, shape " + Arrays.toString(shape)
                    + " holds " + count(shape));
        }
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d != 0 && count > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
            }
            count *= d;
        }
        return count;
    }
}
