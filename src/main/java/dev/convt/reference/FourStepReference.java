package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * The transposed convolution computed by the textbook four steps, literally, for every
 * (sample, input channel, output channel) pair of a group:
 *
 * <ol>
 *   <li>insert {@code stride-1} zeros between neighbouring input elements;
 *   <li>pad {@code dilation*(kernel-1) - padBegin} zeros at the top/left and as many at the
 *       bottom/right as make a stride-1 valid convolution produce exactly the geometry's output
 *       size (a negative padding crops instead);
 *   <li>flip the kernel up-down and left-right;
 *   <li>run a stride-1 valid convolution (cross-correlation) with the flipped kernel, its taps
 *       spaced {@code dilation} apart.
 * </ol>
 *
 * <p>The contributions of all input channels of a group are summed in {@code double}; the bias is
 * added, the sum rounded once to {@code float} and the epilogue applied. Slow and memory-hungry
 * by design: it exists to be obviously the method, and to show its steps ({@link #steps}).
 */
public final class FourStepReference {

    private FourStepReference() {}

    /**
     * The intermediate maps of the four steps for one input plane and one kernel, in
     * {@code [row][column]} order; for a 1-D geometry every map has one row.
     *
     * @param input the input plane, {@code in_h x in_w}
     * @param zeroInserted step 1: {@code ((in_h-1)*stride_h+1) x ((in_w-1)*stride_w+1)}
     * @param padTop step 2: zeros added above (negative: rows cropped)
     * @param padLeft step 2: zeros added at the left (negative: columns cropped)
     * @param padBottom step 2: zeros added below (negative: rows cropped)
     * @param padRight step 2: zeros added at the right (negative: columns cropped)
     * @param padded step 2: the zero-inserted map after padding and cropping
     * @param kernel the kernel as given, {@code k_h x k_w}
     * @param flippedKernel step 3: the kernel turned by 180 degrees
     * @param dilationH step 4: row spacing of the kernel taps
     * @param dilationW step 4: column spacing of the kernel taps
     * @param contribution step 4: the valid stride-1 convolution of {@code padded} with the
     *     dilated {@code flippedKernel}, {@code out_h x out_w}, in double and without bias
     */
    public record Steps(float[][] input, float[][] zeroInserted, int padTop, int padLeft, int padBottom,
            int padRight, float[][] padded, float[][] kernel, float[][] flippedKernel, int dilationH, int dilationW,
            double[][] contribution) {}

    /**
     * Runs the four steps on one plane.
     *
     * @param height the geometry's height axis
     * @param width the geometry's width axis
     * @param plane the input plane, {@code height.in()} rows of {@code width.in()} values
     * @param kernel the kernel, {@code height.kernel()} rows of {@code width.kernel()} values
     * @return every intermediate map
     * @throws IllegalArgumentException if an array does not have the axes' sizes
     */
    public static Steps steps(ConvTransposeGeometry.Axis height, ConvTransposeGeometry.Axis width, float[][] plane,
            float[][] kernel) {
        Objects.requireNonNull(height, "height");
        Objects.requireNonNull(width, "width");
        requireRectangle("plane", plane, height.in(), width.in());
        requireRectangle("kernel", kernel, height.kernel(), width.kernel());

        float[][] zeroInserted = new float[(height.in() - 1) * height.stride() + 1][(width.in() - 1) * width.stride() + 1];
        for (int y = 0; y < height.in(); y++) {
            for (int x = 0; x < width.in(); x++) {
                zeroInserted[y * height.stride()][x * width.stride()] = plane[y][x];
            }
        }

        int padTop = height.dilation() * (height.kernel() - 1) - height.padBegin();
        int padLeft = width.dilation() * (width.kernel() - 1) - width.padBegin();
        // A valid stride-1 convolution shrinks a map by extent-1: the padded map must be out+extent-1.
        int paddedRows = Math.toIntExact(height.out() + height.extent() - 1);
        int paddedCols = Math.toIntExact(width.out() + width.extent() - 1);
        int padBottom = paddedRows - zeroInserted.length - padTop;
        int padRight = paddedCols - zeroInserted[0].length - padLeft;
        float[][] padded = new float[paddedRows][paddedCols];
        for (int r = 0; r < paddedRows; r++) {
            int zr = r - padTop;
            if (zr < 0 || zr >= zeroInserted.length) {
                continue;
            }
            for (int c = 0; c < paddedCols; c++) {
                int zc = c - padLeft;
                if (zc >= 0 && zc < zeroInserted[0].length) {
                    padded[r][c] = zeroInserted[zr][zc];
                }
            }
        }

        int kh = height.kernel();
        int kw = width.kernel();
        float[][] flipped = new float[kh][kw];
        for (int a = 0; a < kh; a++) {
            for (int b = 0; b < kw; b++) {
                flipped[a][b] = kernel[kh - 1 - a][kw - 1 - b];
            }
        }

        double[][] contribution = new double[height.out()][width.out()];
        for (int oy = 0; oy < height.out(); oy++) {
            for (int ox = 0; ox < width.out(); ox++) {
                double sum = 0;
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        sum += (double) padded[oy + a * height.dilation()][ox + b * width.dilation()] * flipped[a][b];
                    }
                }
                contribution[oy][ox] = sum;
            }
        }
        return new Steps(copy(plane), zeroInserted, padTop, padLeft, padBottom, padRight, padded, copy(kernel), flipped,
                height.dilation(), width.dilation(), contribution);
    }

    /**
     * Runs the four steps for one (sample, input channel, output channel) slice of whole
     * operands.
     *
     * @param geometry the resolved transposed convolution
     * @param input the input in C order, {@link ConvTransposeGeometry#inputShape()}
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
     * @param n the sample
     * @param ci the input channel
     * @param co the output channel; in the same group as {@code ci}
     * @return every intermediate map of that slice
     * @throws IllegalArgumentException if an index is out of range or the channels are in
     *     different groups (they then do not interact)
     */
    public static Steps steps(ConvTransposeGeometry geometry, float[] input, float[] weights, int n, int ci, int co) {
        Operands op = Operands.of(geometry, input, weights, null, null);
        int cin = geometry.spec().inChannels();
        int cout = geometry.spec().outChannels();
        Objects.checkIndex(n, geometry.batch());
        Objects.checkIndex(ci, cin);
        Objects.checkIndex(co, cout);
        if (ci / op.inPerGroup() != co / op.outPerGroup()) {
            throw new IllegalArgumentException("input channel " + ci + " (group " + ci / op.inPerGroup()
                    + ") and output channel " + co + " (group " + co / op.outPerGroup() + ") are in different groups of "
                    + geometry.spec().groups());
        }
        return steps(geometry.height(), geometry.width(), plane(op, n, ci), kernel(op, ci, co));
    }

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
        float[] out = compute(Operands.of(geometry, input, weights, bias, epilogue));
        return Tensor.of(arena, out, geometry.outputShape());
    }

    private static float[] compute(Operands op) {
        ConvTransposeGeometry g = op.geometry();
        int cin = g.spec().inChannels();
        int oh = g.height().out();
        int ow = g.width().out();
        double[] sums = new double[(int) g.outputCount()];
        for (int n = 0; n < g.batch(); n++) {
            for (int ci = 0; ci < cin; ci++) {
                float[][] plane = plane(op, n, ci);
                int group = ci / op.inPerGroup();
                for (int co = group * op.outPerGroup(); co < (group + 1) * op.outPerGroup(); co++) {
                    double[][] contribution = steps(g.height(), g.width(), plane, kernel(op, ci, co)).contribution();
                    for (int y = 0; y < oh; y++) {
                        for (int x = 0; x < ow; x++) {
                            sums[op.outputIndex(n, co, y, x)] += contribution[y][x];
                        }
                    }
                }
            }
        }
        return op.finish(sums);
    }

    private static float[][] plane(Operands op, int n, int ci) {
        ConvTransposeGeometry g = op.geometry();
        float[][] plane = new float[g.height().in()][g.width().in()];
        for (int y = 0; y < plane.length; y++) {
            for (int x = 0; x < plane[0].length; x++) {
                plane[y][x] = op.input()[op.inputIndex(n, ci, y, x)];
            }
        }
        return plane;
    }

    private static float[][] kernel(Operands op, int ci, int co) {
        ConvTransposeGeometry g = op.geometry();
        float[][] k = new float[g.spec().kernelH()][g.spec().kernelW()];
        for (int y = 0; y < k.length; y++) {
            for (int x = 0; x < k[0].length; x++) {
                k[y][x] = op.weights()[op.weightIndex(ci, co, y, x)];
            }
        }
        return k;
    }

    private static void requireRectangle(String name, float[][] a, int rows, int cols) {
        Objects.requireNonNull(a, name);
        if (a.length != rows) {
            throw new IllegalArgumentException(name + " has " + a.length + " rows, expected " + rows);
        }
        for (int r = 0; r < rows; r++) {
            if (a[r] == null || a[r].length != cols) {
                throw new IllegalArgumentException(name + " row " + r + " has "
                        + (a[r] == null ? "no" : String.valueOf(a[r].length)) + " columns, expected " + cols);
            }
        }
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int r = 0; r < a.length; r++) {
            c[r] = a[r].clone();
        }
        return c;
    }
}
