package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.internal.Shapes;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An ordinary convolution of one sample written out as a dense matrix {@code C}: one row per
 * output element, one column per input element (both in C order over channels and spatial axes), so
 * that {@code conv(x) = C x}. The transposed convolution with the same weights, stride, padding,
 * dilation and groups is then {@code C}<sup>T</sup>: {@code convT(y) = C}<sup>T</sup>{@code y}.
 * That is where its name comes from, and why it restores the input's shape but not its values.
 *
 * <p>The classic example: a 4x4 input, a 3x3 kernel, stride 1, no padding give a 2x2 output, so
 * {@code C} is 4x16 and {@code C}<sup>T</sup> maps 2x2 maps to 4x4 maps.
 *
 * <p>Meant for small examples and tests: matrices with more than {@link #MAX_ENTRIES} entries are
 * refused. A batch is handled one sample at a time with the same matrix.
 */
public final class ConvolutionMatrix {

    /** The largest matrix built, in entries (64 MiB of floats). */
    public static final long MAX_ENTRIES = 1L << 24;

    private final int rows;
    private final int columns;
    private final float[] entries;

    private ConvolutionMatrix(int rows, int columns, float[] entries) {
        this.rows = rows;
        this.columns = columns;
        this.entries = entries;
    }

    /**
     * The matrix of an ordinary convolution.
     *
     * @param inputShape {@code (Cin, H, W)} of one sample
     * @param weights {@code [Cout, Cin/groups, kH, kW]} in C order
     * @param weightShape {@code (Cout, Cin/groups, kH, kW)}
     * @param params stride, padding, dilation, groups
     * @return {@code C}, of {@code Cout*OH*OW} rows and {@code Cin*H*W} columns
     * @throws IllegalArgumentException if the shapes do not fit or the matrix would have more
     *     than {@link #MAX_ENTRIES} entries
     */
    public static ConvolutionMatrix ofConvolution(long[] inputShape, float[] weights, long[] weightShape,
            Conv2dReference.Params params) {
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(weights, "weights");
        if (inputShape.length != 3) {
            throw new IllegalArgumentException("inputShape " + Shapes.format(inputShape) + " must be (Cin, H, W)");
        }
        long[] sample = {1, inputShape[0], inputShape[1], inputShape[2]};
        long[] out = Conv2dReference.outputShape(sample, weightShape, params);
        requireSmall(inputShape[0] * (double) inputShape[1] * inputShape[2], out[1] * (double) out[2] * out[3]);
        return build(Conv2dReference.layout(sample, weightShape, params), weights);
    }

    /**
     * The matrix of the ordinary convolution whose transpose is {@code geometry}: it maps the
     * transposed convolution's output shape (its columns) to its input shape (its rows), so
     * {@code convT(y) = C}<sup>T</sup>{@code y} for each sample {@code y}.
     *
     * @param geometry the transposed convolution
     * @param weights {@link ConvTransposeSpec#weightShape()} in C order, the transposed
     *     convolution's own weights (read as the convolution's {@code [Cout', Cin'/groups, kernel...]});
     *     1, 2 or 3 spatial axes
     * @return {@code C}, of {@code Cin} times the input plane rows and {@code Cout} times the
     *     output plane columns
     * @throws IllegalArgumentException if the weights do not fit or the matrix would have more
     *     than {@link #MAX_ENTRIES} entries
     */
    public static ConvolutionMatrix ofTransposed(ConvTransposeGeometry geometry, float[] weights) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(weights, "weights");
        ConvTransposeSpec spec = geometry.spec();
        requireSmall((double) spec.outChannels() * geometry.outputPlane(),
                (double) spec.inChannels() * geometry.inputPlane());
        return build(ConvolutionLayout.adjointOf(geometry), weights);
    }

    /** Checked before anything is sized from the shapes, so that absurd shapes cannot overflow. */
    private static void requireSmall(double columns, double rows) {
        if (rows * columns > MAX_ENTRIES) {
            throw new IllegalArgumentException("convolution matrix of " + (long) rows + " x " + (long) columns
                    + " entries exceeds the limit of " + MAX_ENTRIES + "; the matrix view is for small examples");
        }
    }

    private static ConvolutionMatrix build(ConvolutionLayout l, float[] weights) {
        int inPlane = Operands.count(l.in());
        int outPlane = Operands.count(l.out());
        int taps = Operands.count(l.kernel());
        int rows = l.cout() * outPlane;
        int columns = l.cin() * inPlane;
        int cinPerGroup = l.cin() / l.groups();
        int coutPerGroup = l.cout() / l.groups();
        if (weights.length != (double) l.cout() * cinPerGroup * taps) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, expected " + l.cout() + " x "
                    + cinPerGroup + " x " + Arrays.stream(l.kernel()).mapToObj(String::valueOf)
                            .collect(Collectors.joining(" x "))
                    + " ([Cout, Cin/groups, kernel...] of the convolution)");
        }
        float[] entries = new float[rows * columns];
        for (int co = 0; co < l.cout(); co++) {
            int firstIn = co / coutPerGroup * cinPerGroup;
            for (int o = 0; o < outPlane; o++) {
                int[] oc = Operands.coordinates(o, l.out());
                int row = co * outPlane + o;
                for (int t = 0; t < taps; t++) {
                    int position = l.inputPosition(oc, Operands.coordinates(t, l.kernel()));
                    if (position < 0) {
                        continue;
                    }
                    for (int c = 0; c < cinPerGroup; c++) {
                        int column = (firstIn + c) * inPlane + position;
                        entries[row * columns + column] = weights[(co * cinPerGroup + c) * taps + t];
                    }
                }
            }
        }
        return new ConvolutionMatrix(rows, columns, entries);
    }

    /**
     * Returns the number of rows.
     *
     * @return the convolution's output elements per sample
     */
    public int rows() {
        return rows;
    }

    /**
     * Returns the number of columns.
     *
     * @return the convolution's input elements per sample
     */
    public int columns() {
        return columns;
    }

    /**
     * Returns one entry.
     *
     * @param row the row
     * @param column the column
     * @return the entry: the weight linking that input element to that output element, or 0
     */
    public float get(int row, int column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        return entries[row * columns + column];
    }

    /**
     * Copies the matrix into nested arrays, for display.
     *
     * @return the entries as {@code [row][column]}
     */
    public float[][] toArray() {
        float[][] a = new float[rows][];
        for (int r = 0; r < rows; r++) {
            a[r] = Arrays.copyOfRange(entries, r * columns, (r + 1) * columns);
        }
        return a;
    }

    /**
     * The convolution of one sample: {@code C x}, summed in double.
     *
     * @param x {@link #columns()} values
     * @return {@link #rows()} values
     */
    public float[] multiply(float[] x) {
        Operands.requireLength("x", x, columns);
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < columns; c++) {
                sum += (double) entries[r * columns + c] * x[c];
            }
            y[r] = (float) sum;
        }
        return y;
    }

    /**
     * The transposed convolution of one sample: {@code C}<sup>T</sup>{@code y}, summed in double.
     *
     * @param y {@link #rows()} values
     * @return {@link #columns()} values
     */
    public float[] multiplyTransposed(float[] y) {
        Operands.requireLength("y", y, rows);
        double[] sums = new double[columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                sums[c] += (double) entries[r * columns + c] * y[r];
            }
        }
        float[] x = new float[columns];
        for (int c = 0; c < columns; c++) {
            x[c] = (float) sums[c];
        }
        return x;
    }

    @Override
    public String toString() {
        return "ConvolutionMatrix[" + rows + " x " + columns + "]";
    }
}
