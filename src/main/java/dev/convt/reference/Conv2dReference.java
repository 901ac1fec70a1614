package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.internal.Shapes;
import java.util.Objects;

/**
 * The ordinary 2-D convolution (PyTorch {@code Conv2d}, which is a cross-correlation): NCHW input,
 * weights {@code [Cout, Cin/groups, kH, kW]}, per-axis stride, padding and dilation, groups.
 *
 * <p>It is the adjoint of the transposed convolution: with the transposed convolution's weights
 * {@code [Cin, Cout/groups, kH, kW]} read as this convolution's {@code [Cout', Cin'/groups, kH, kW]}
 * (the same array; channel roles swap), its stride, dilation and groups, and padding
 * {@code (padBegin, padEnd)} of each geometry axis, it maps the transposed convolution's output
 * shape back to its input shape, and {@code <conv(y), x> = <y, convT(x)>}. {@link #adjoint} is
 * that convolution for a geometry of 1, 2 or 3 spatial axes, its parameters taken from the axes.
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
                throw new IllegalArgumentException("inputShape " + Shapes.format(inputShape) + " has a dimension below 1");
            }
        }
        for (long d : weightShape) {
            if (d < 1) {
                throw new IllegalArgumentException("weightShape " + Shapes.format(weightShape) + " has a dimension below 1");
            }
        }
        int g = params.groups();
        if (inputShape[1] % g != 0 || weightShape[0] % g != 0) {
            throw new IllegalArgumentException("groups " + g + " must divide input channels " + inputShape[1]
                    + " and output channels " + weightShape[0]);
        }
        if (weightShape[1] != inputShape[1] / g) {
            throw new IllegalArgumentException("weightShape " + Shapes.format(weightShape) + " needs Cin/groups = "
                    + inputShape[1] / g + " in dimension 1 for input " + Shapes.format(inputShape));
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
            throw new IllegalArgumentException(name + " " + Shapes.format(shape) + " must have rank 4");
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
        if (Shapes.elementCount("output shape", outShape) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output shape " + Shapes.format(outShape) + " is too large for a Java array");
        }
        if (bias != null && bias.length != weightShape[0]) {
            throw new IllegalArgumentException("bias has " + bias.length + " floats, expected Cout " + weightShape[0]);
        }
        return layout(inputShape, weightShape, params).convolve(input, (int) inputShape[0], weights, bias);
    }

    /**
     * The convolution whose adjoint is a transposed convolution, over its 1, 2 or 3 spatial axes:
     * with the transposed convolution's weights, stride, dilation and groups and per axis the
     * padding {@code (padBegin, padEnd)}, it maps the output shape back to the input shape, and
     * {@code <adjoint(y), x> = <y, convT(x)>}.
     *
     * @param geometry the transposed convolution
     * @param y in C order, of {@link ConvTransposeGeometry#outputShape()}
     * @param weights {@link dev.convt.ConvTransposeSpec#weightShape()} in C order, read as the
     *     convolution's {@code [Cout', Cin'/groups, kernel...]}
     * @return in C order, of {@link ConvTransposeGeometry#inputShape()}
     * @throws IllegalArgumentException if an array's length does not fit the geometry
     */
    public static float[] adjoint(ConvTransposeGeometry geometry, float[] y, float[] weights) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(weights, "weights");
        if (y.length != geometry.outputCount()) {
            throw new IllegalArgumentException("y has " + y.length + " floats, geometry output shape "
                    + Shapes.format(geometry.outputShape()) + " holds " + geometry.outputCount());
        }
        if (weights.length != geometry.spec().weightCount()) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, weight shape "
                    + Shapes.format(geometry.spec().weightShape()) + " holds " + geometry.spec().weightCount());
        }
        if (geometry.inputCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("input shape " + Shapes.format(geometry.inputShape())
                    + " is too large for a Java array");
        }
        return ConvolutionLayout.adjointOf(geometry).convolve(y, geometry.batch(), weights, null);
    }

    /** The layout of a checked 2-D convolution of {@code inputShape} {@code (N, Cin, H, W)}. */
    static ConvolutionLayout layout(long[] inputShape, long[] weightShape, Params params) {
        long[] out = outputShape(inputShape, weightShape, params);
        return new ConvolutionLayout((int) inputShape[1], new int[] {(int) inputShape[2], (int) inputShape[3]},
                (int) weightShape[0], new int[] {(int) out[2], (int) out[3]},
                new int[] {(int) weightShape[2], (int) weightShape[3]}, new int[] {params.strideH(), params.strideW()},
                new int[] {params.padTop(), params.padLeft()}, new int[] {params.dilationH(), params.dilationW()},
                params.groups());
    }

    private static void requireLength(String name, float[] a, long[] shape) {
        long count = Shapes.elementCount(name + " shape", shape);
        if (a.length != count) {
            throw new IllegalArgumentException(name + " has " + a.length + " floats, shape " + Shapes.format(shape)
                    + " holds " + count);
        }
    }
}
