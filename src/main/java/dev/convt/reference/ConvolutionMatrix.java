package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * An ordinary convolution of one sample written out as a dense matrix {@code C}: one row per
 * output element, one column per input element (both in C order over channels, rows, columns), so
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
            throw new IllegalArgumentException("inputShape " + Arrays.toString(inputShape) + " must be (Cin, H, W)");
        }
        long[] out = Conv2dReference.outputShape(new long[] {1, inputShape[0], inputShape[1], inputShape[2]},
                weightShape, params);
        requireSmall(inputShape[0] * (double) inputShape[1] * inputShape[2], out[1] * (double) out[2] * out[3]);
        return build(new Layout((int) inputShape[0], (int) inputShape[1], (int) inputShape[2], (int) out[1], (int) out[2],
                (int) out[3], (int) weightShape[2], (int) weightShape[3], params), weights);
    }

    /**
     * The matrix of the ordinary convolution whose transpose is {@code geometry}: it maps the
     * transposed convolution's output shape (its columns) to its input shape (its rows), so
     * {@code convT(y) = C}<sup>T</sup>{@code y} for each sample {@code y}.
     *
     * @param geometry the transposed convolution
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order, the transposed convolution's
     *     own weights (read as the convolution's {@code [Cout', Cin'/groups, kH, kW]})
     * @return {@code C}, of {@code Cin*H*W} rows and {@code Cout*OH*OW} columns
     * @throws IllegalArgumentException if the weights do not fit or the matrix would have more
     *     than {@link #MAX_ENTRIES} entries
     */
    public static ConvolutionMatrix ofTransposed(ConvTransposeGeometry geometry, float[] weights) {
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(weights, "weights");
        ConvTransposeSpec spec = geometry.spec();
        ConvTransposeGeometry.Axis h = geometry.height();
        ConvTransposeGeometry.Axis w = geometry.width();
        requireSmall((double) spec.outChannels() * h.out() * w.out(), (double) spec.inChannels() * h.in() * w.in());
        Conv2dReference.Params params = new Conv2dReference.Params(h.stride(), w.stride(), h.padBegin(), w.padBegin(),
                (int) h.padEnd(), (int) w.padEnd(), h.dilation(), w.dilation(), spec.groups());
        return build(new Layout(spec.outChannels(), h.out(), w.out(), spec.inChannels(), h.in(), w.in(), h.kernel(),
                w.kernel(), params), weights);
    }

    /** Shapes of one convolution; "in" is the convolution's input (the matrix's columns). */
    private record Layout(int cin, int h, int w, int cout, int oh, int ow, int kh, int kw,
            Conv2dReference.Params params) {}

    /** Checked before anything is sized from the shapes, so that absurd shapes cannot overflow. */
    private static void requireSmall(double columns, double rows) {
        if (rows * columns > MAX_ENTRIES) {
            throw new IllegalArgumentException("convolution matrix of " + (long) rows + " x " + (long) columns
                    + " entries exceeds the limit of " + MAX_ENTRIES + "; the matrix view is for small examples");
        }
    }

    private static ConvolutionMatrix build(Layout l, float[] weights) {
        int rows = l.cout * l.oh * l.ow;
        int columns = l.cin * l.h * l.w;
        Conv2dReference.Params p = l.params;
        int cinPerGroup = l.cin / p.groups();
        int coutPerGroup = l.cout / p.groups();
        if (weights.length != (double) l.cout * cinPerGroup * l.kh * l.kw) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, expected " + l.cout + " x "
                    + cinPerGroup + " x " + l.kh + " x " + l.kw + " ([Cout, Cin/groups, kH, kW] of the convolution)");
        }
        float[] entries = new float[rows * columns];
        for (int co = 0; co < l.cout; co++) {
            int firstIn = co / coutPerGroup * cinPerGroup;
            for (int oy = 0; oy < l.oh; oy++) {
                for (int ox = 0; ox < l.ow; ox++) {
                    int row = (co * l.oh + oy) * l.ow + ox;
                    for (int c = 0; c < cinPerGroup; c++) {
                        for (int ky = 0; ky < l.kh; ky++) {
                            int iy = oy * p.strideH() - p.padTop() + ky * p.dilationH();
                            if (iy < 0 || iy >= l.h) {
                                continue;
                            }
                            for (int kx = 0; kx < l.kw; kx++) {
                                int ix = ox * p.strideW() - p.padLeft() + kx * p.dilationW();
                                if (ix < 0 || ix >= l.w) {
                                    continue;
                                }
                                int column = ((firstIn + c) * l.h + iy) * l.w + ix;
                                entries[row * columns + column] =
                                        weights[((co * cinPerGroup + c) * l.kh + ky) * l.kw + kx];
                            }
                        }
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
        requireLength("x", x, columns);
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
        requireLength("y", y, rows);
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

    private static void requireLength(String name, float[] a, int expected) {
        Objects.requireNonNull(a, name);
        if (a.length != expected) {
            throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + expected);
        }
    }

    @Override
    public String toString() {
        return "ConvolutionMatrix[" + rows + " x " + columns + "]";
    }
}
