package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
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
 * <p>The steps run on C-order arrays over the geometry's spatial axes, so one implementation
 * serves 1, 2 and 3 axes ({@link FlatSteps}); {@link Steps} shows a 1-D or 2-D slice's maps as
 * rows and columns.
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
     * The intermediate maps of the four steps for one input slice and one kernel, each a C-order
     * array over the spatial axes with its shape.
     *
     * @param inputShape the slice's size per axis
     * @param input the slice
     * @param zeroInsertedShape step 1: {@code (in-1)*stride+1} per axis
     * @param zeroInserted step 1: the slice with {@code stride-1} zeros between neighbours
     * @param padBegin step 2: zeros added at the start of each axis (negative: cropped)
     * @param padEnd step 2: zeros added at the end of each axis (negative: cropped)
     * @param paddedShape step 2: {@code out + extent - 1} per axis
     * @param padded step 2: the zero-inserted map after padding and cropping
     * @param kernelShape the kernel size per axis
     * @param kernel the kernel as given
     * @param flippedKernel step 3: the kernel reversed along every axis
     * @param dilation step 4: the spacing of the kernel taps per axis
     * @param contributionShape step 4: the output size per axis
     * @param contribution step 4: the valid stride-1 convolution of {@code padded} with the
     *     dilated {@code flippedKernel}, in double and without bias
     */
    public record FlatSteps(int[] inputShape, float[] input, int[] zeroInsertedShape, float[] zeroInserted,
            int[] padBegin, int[] padEnd, int[] paddedShape, float[] padded, int[] kernelShape, float[] kernel,
            float[] flippedKernel, int[] dilation, int[] contributionShape, double[] contribution) {}

    /**
     * Runs the four steps on one slice of any number of spatial axes.
     *
     * @param axes the geometry's spatial axes
     * @param slice the input slice, C order, {@code in} elements per axis
     * @param kernel the kernel, C order, {@code kernel} elements per axis
     * @return every intermediate map
     * @throws IllegalArgumentException if an array does not have the axes' sizes
     */
    public static FlatSteps flatSteps(List<ConvTransposeGeometry.Axis> axes, float[] slice, float[] kernel) {
        Objects.requireNonNull(axes, "axes");
        int r = axes.size();
        int[] in = Operands.perAxis(axes, ConvTransposeGeometry.Axis::in);
        int[] k = Operands.perAxis(axes, ConvTransposeGeometry.Axis::kernel);
        int[] dilation = Operands.perAxis(axes, ConvTransposeGeometry.Axis::dilation);
        int[] out = Operands.perAxis(axes, ConvTransposeGeometry.Axis::out);
        int[] zeroShape = new int[r];
        int[] begin = new int[r];
        int[] end = new int[r];
        int[] paddedShape = new int[r];
        for (int a = 0; a < r; a++) {
            ConvTransposeGeometry.Axis axis = axes.get(a);
            zeroShape[a] = (axis.in() - 1) * axis.stride() + 1;
            begin[a] = axis.dilation() * (axis.kernel() - 1) - axis.padBegin();
            // A valid stride-1 convolution shrinks a map by extent-1: the padded map must be out+extent-1.
            paddedShape[a] = Math.toIntExact(axis.out() + axis.extent() - 1);
            end[a] = paddedShape[a] - zeroShape[a] - begin[a];
        }
        Operands.requireLength("slice", slice, Operands.count(in));
        Operands.requireLength("kernel", kernel, Operands.count(k));

        // Step 1: input element i goes to i*stride along every axis.
        float[] zeroInserted = new float[Operands.count(zeroShape)];
        for (int p = 0; p < slice.length; p++) {
            int[] c = Operands.coordinates(p, in);
            for (int a = 0; a < r; a++) {
                c[a] *= axes.get(a).stride();
            }
            zeroInserted[flat(c, zeroShape)] = slice[p];
        }

        // Step 2: padded element p is zero-inserted element p - begin, or zero outside it.
        float[] padded = new float[Operands.count(paddedShape)];
        for (int p = 0; p < padded.length; p++) {
            int[] c = Operands.coordinates(p, paddedShape);
            boolean inside = true;
            for (int a = 0; a < r; a++) {
                c[a] -= begin[a];
                inside &= c[a] >= 0 && c[a] < zeroShape[a];
            }
            if (inside) {
                padded[p] = zeroInserted[flat(c, zeroShape)];
            }
        }

        // Step 3: reversing every axis of a C-order array reverses the array.
        float[] flipped = new float[kernel.length];
        for (int t = 0; t < kernel.length; t++) {
            flipped[t] = kernel[kernel.length - 1 - t];
        }

        // Step 4: output o reads padded o + tap*dilation.
        double[] contribution = new double[Operands.count(out)];
        for (int o = 0; o < contribution.length; o++) {
            int[] oc = Operands.coordinates(o, out);
            double sum = 0;
            for (int t = 0; t < flipped.length; t++) {
                int[] c = Operands.coordinates(t, k);
                for (int a = 0; a < r; a++) {
                    c[a] = oc[a] + c[a] * dilation[a];
                }
                sum += (double) padded[flat(c, paddedShape)] * flipped[t];
            }
            contribution[o] = sum;
        }
        return new FlatSteps(in, slice.clone(), zeroShape, zeroInserted, begin, end, paddedShape, padded, k,
                kernel.clone(), flipped, dilation, out, contribution);
    }

    /**
     * Runs the four steps on one 2-D plane (or a 1-D row, with a height axis of size 1).
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
        return rowsAndColumns(flatSteps(List.of(height, width), flatten(plane), flatten(kernel)));
    }

    /** The 2-D maps of a run over (height, width). */
    private static Steps rowsAndColumns(FlatSteps f) {
        double[][] contribution = new double[f.contributionShape()[0]][f.contributionShape()[1]];
        for (int y = 0; y < contribution.length; y++) {
            System.arraycopy(f.contribution(), y * contribution[0].length, contribution[y], 0, contribution[0].length);
        }
        return new Steps(rows(f.input(), f.inputShape()), rows(f.zeroInserted(), f.zeroInsertedShape()),
                f.padBegin()[0], f.padBegin()[1], f.padEnd()[0], f.padEnd()[1], rows(f.padded(), f.paddedShape()),
                rows(f.kernel(), f.kernelShape()), rows(f.flippedKernel(), f.kernelShape()), f.dilation()[0],
                f.dilation()[1], contribution);
    }

    private static float[][] rows(float[] flat, int[] shape) {
        float[][] a = new float[shape[0]][];
        for (int y = 0; y < shape[0]; y++) {
            a[y] = Arrays.copyOfRange(flat, y * shape[1], (y + 1) * shape[1]);
        }
        return a;
    }

    private static float[] flatten(float[][] a) {
        float[] f = new float[a.length * (a.length == 0 ? 0 : a[0].length)];
        for (int y = 0; y < a.length; y++) {
            System.arraycopy(a[y], 0, f, y * a[y].length, a[y].length);
        }
        return f;
    }

    private static int flat(int[] coordinates, int[] shape) {
        int i = 0;
        for (int a = 0; a < shape.length; a++) {
            i = i * shape[a] + coordinates[a];
        }
        return i;
    }

    /**
     * Runs the four steps for one (sample, input channel, output channel) slice of whole
     * operands of a 1-D or 2-D geometry, as rows and columns.
     *
     * @param geometry the resolved transposed convolution, of 1 or 2 spatial axes
     * @param input the input in C order, {@link ConvTransposeGeometry#inputShape()}
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
     * @param n the sample
     * @param ci the input channel
     * @param co the output channel; in the same group as {@code ci}
     * @return every intermediate map of that slice
     * @throws IllegalArgumentException if the geometry has 3 axes ({@link #flatSteps(ConvTransposeGeometry,
     *     float[], float[], int, int, int)} takes them), an index is out of range or the channels are in
     *     different groups (they then do not interact)
     */
    public static Steps steps(ConvTransposeGeometry geometry, float[] input, float[] weights, int n, int ci, int co) {
        if (geometry.axes().size() > 2) {
            throw new IllegalArgumentException("steps shows rows and columns; a geometry of " + geometry.axes().size()
                    + " spatial axes takes flatSteps");
        }
        Operands op = sliceOperands(geometry, input, weights, n, ci, co);
        return rowsAndColumns(flatSteps(List.of(geometry.height(), geometry.width()), slice(op, n, ci),
                kernel(op, ci, co)));
    }

    /**
     * Runs the four steps for one (sample, input channel, output channel) slice of whole
     * operands, of any number of spatial axes.
     *
     * @param geometry the resolved transposed convolution
     * @param input the input in C order, {@link ConvTransposeGeometry#inputShape()}
     * @param weights {@link dev.convt.ConvTransposeSpec#weightShape()} in C order
     * @param n the sample
     * @param ci the input channel
     * @param co the output channel; in the same group as {@code ci}
     * @return every intermediate map of that slice
     * @throws IllegalArgumentException if an index is out of range or the channels are in
     *     different groups (they then do not interact)
     */
    public static FlatSteps flatSteps(ConvTransposeGeometry geometry, float[] input, float[] weights, int n, int ci,
            int co) {
        Operands op = sliceOperands(geometry, input, weights, n, ci, co);
        return flatSteps(geometry.axes(), slice(op, n, ci), kernel(op, ci, co));
    }

    private static Operands sliceOperands(ConvTransposeGeometry geometry, float[] input, float[] weights, int n, int ci,
            int co) {
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
        return op;
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
        int plane = (int) g.outputPlane();
        double[] sums = new double[(int) g.outputCount()];
        for (int n = 0; n < g.batch(); n++) {
            for (int ci = 0; ci < cin; ci++) {
                float[] slice = slice(op, n, ci);
                int group = ci / op.inPerGroup();
                for (int co = group * op.outPerGroup(); co < (group + 1) * op.outPerGroup(); co++) {
                    double[] contribution = flatSteps(g.axes(), slice, kernel(op, ci, co)).contribution();
                    for (int p = 0; p < plane; p++) {
                        sums[op.outputIndex(n, co, p)] += contribution[p];
                    }
                }
            }
        }
        return op.finish(sums);
    }

    private static float[] slice(Operands op, int n, int ci) {
        int start = op.inputIndex(n, ci, 0);
        return Arrays.copyOfRange(op.input(), start, start + (int) op.geometry().inputPlane());
    }

    private static float[] kernel(Operands op, int ci, int co) {
        int start = op.weightIndex(ci, co, 0);
        return Arrays.copyOfRange(op.weights(), start, start + (int) op.geometry().spec().kernelTaps());
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
}
