package dev.convt.cli;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.reference.ConvolutionMatrix;
import dev.convt.reference.FourStepReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * The walk-through {@code convt explain} prints for one single-channel geometry: the four steps
 * ({@link FourStepReference#steps}), the matrix view ({@link ConvolutionMatrix}) and the
 * output-size formula. Every number shown is computed by the library's references, none is
 * typed in, so the text cannot drift from what convt computes.
 */
final class Explanation {

    private final ConvTransposeGeometry geometry;
    private final ConvTransposeGeometry.Axis rows;
    private final ConvTransposeGeometry.Axis columns;
    private final boolean oneDimensional;
    private final boolean roundTrip;
    private final float[][] kernel;
    private final float[] i;
    private final ConvolutionMatrix c;
    private final float[] o;
    private final float[][] x;
    private final FourStepReference.Steps steps;

    /**
     * Computes every map.
     *
     * @param geometry one input and one output channel, no bias
     * @param x the input map, or null to take it from the matrix view ({@code O = C*I})
     * @param kernel the kernel
     * @param i the map {@code I} of the matrix view, of the output's size
     */
    Explanation(ConvTransposeGeometry geometry, float[][] x, float[][] kernel, float[][] i) {
        this.geometry = geometry;
        this.rows = geometry.height();
        this.columns = geometry.width();
        this.oneDimensional = geometry.spec().isOneDimensional();
        this.kernel = kernel;
        this.i = flatten(i);
        this.c = ConvolutionMatrix.ofTransposed(geometry, flatten(kernel));
        this.o = c.multiply(this.i);
        this.roundTrip = x == null;
        this.x = roundTrip ? reshape(o, rows.in(), columns.in()) : x;
        this.steps = FourStepReference.steps(rows, columns, this.x, kernel);
    }

    void write(Report report) {
        ConvTransposeSpec spec = geometry.spec();
        report.title(roundTrip
                ? "Convolution of " + a(rows.out(), columns.out()) + " map I as a matrix C, and back with C^T"
                : "Transposed convolution of " + a(rows.in(), columns.in()) + " input with "
                        + a(rows.kernel(), columns.kernel()) + " kernel");
        report.paragraph("Stride " + perAxis(spec.strideH(), spec.strideW()) + ", padding "
                + perAxis(spec.padTop(), spec.padLeft()) + ", output_padding "
                + perAxis(spec.outputPaddingH(), spec.outputPaddingW()) + ", dilation "
                + perAxis(spec.dilationH(), spec.dilationW()) + ": the output is " + size(rows.out(), columns.out())
                + ". Every number below is computed by convt's scalar references.");
        writeSteps(report);
        writeMatrixView(report);
        writeOutputSize(report);
    }

    private void writeSteps(Report report) {
        report.section("1. Zero insertion, padding, a flipped kernel and a stride-1 convolution");
        report.paragraph("A transposed convolution is an ordinary convolution with stride 1, run over a stretched and"
                + " padded copy of the input with the kernel turned around. In the maps below a dot marks a zero"
                + " that the method inserted: it is not an input value.");
        if (roundTrip) {
            report.paragraph("Here the input X is the map `O = C * I` of part 2: the ordinary convolution of "
                    + a(rows.out(), columns.out()) + " map I with " + a(rows.kernel(), columns.kernel())
                    + " kernel, which the transposed convolution takes back to I's size.");
        }
        report.grids(Grid.of("input X (" + size(rows.in(), columns.in()) + ")", x));

        float[][] inserted = steps.zeroInserted();
        report.paragraph("Step 1: insert " + insertion() + " -> " + size(inserted.length, inserted[0].length) + ".");
        report.grids(Grid.marked("zero-inserted (" + size(inserted.length, inserted[0].length) + ")", inserted,
                placeholders(inserted.length, inserted[0].length, 0, 0)));

        float[][] padded = steps.padded();
        report.paragraph("Step 2: pad `dilation*(k-1) - padding` zeros around it: " + padding()
                + (steps.padTop() < 0 || steps.padLeft() < 0 ? " (a negative padding cuts rows or columns off instead)"
                        : "") + " -> " + size(padded.length, padded[0].length) + ".");
        report.grids(Grid.marked("padded (" + size(padded.length, padded[0].length) + ")", padded,
                placeholders(padded.length, padded[0].length, steps.padTop(), steps.padLeft())));

        report.paragraph("Step 3: turn the kernel around: " + (oneDimensional ? "reverse it."
                : "flip it upside down and left to right (a 180-degree rotation)."));
        String kernelSize = size(rows.kernel(), columns.kernel());
        report.grids(Grid.of("kernel K (" + kernelSize + ")", kernel),
                Grid.of("flipped (" + kernelSize + ")", steps.flippedKernel()));

        report.paragraph("Step 4: slide the flipped kernel over the padded map one pixel at a time (a stride-1"
                + " convolution" + (rows.dilation() > 1 || columns.dilation() > 1
                        ? ", its taps dilation " + perAxis(rows.dilation(), columns.dilation()) + " apart" : "")
                + "); at each position multiply the overlapping numbers and add them up. The sums are the output Y.");
        report.grids(Grid.of("output Y (" + size(rows.out(), columns.out()) + ")", steps.contribution()));
        report.paragraph(workedElement());
    }

    /** Step 1 for each axis; the axes are described together when they agree. */
    private String insertion() {
        int sh = rows.stride();
        int sw = columns.stride();
        if (oneDimensional || sh == sw) {
            return "`stride-1 = " + (sw - 1) + "` " + (sw - 1 == 1 ? "zero" : "zeros")
                    + " between neighbouring input pixels" + (sw == 1 ? " (with stride 1 nothing changes)" : "");
        }
        return "`stride-1` zeros between neighbouring input pixels: " + (sh - 1) + " between rows, " + (sw - 1)
                + " between columns";
    }

    /** Step 2 for each axis: the formula with its numbers, and output_padding's extra zeros. */
    private String padding() {
        ConvTransposeSpec spec = geometry.spec();
        String height = "`" + rows.dilation() + "*(" + rows.kernel() + "-1) - " + spec.padTop() + " = "
                + steps.padTop() + "`";
        String width = "`" + columns.dilation() + "*(" + columns.kernel() + "-1) - " + spec.padLeft() + " = "
                + steps.padLeft() + "`";
        int extraRows = steps.padBottom() - steps.padTop();
        int extraColumns = steps.padRight() - steps.padLeft();
        if (oneDimensional) {
            return width + " at each end" + (extraColumns == 0 ? "" : ", and `output_padding = " + extraColumns
                    + "` more at the right");
        }
        String around = height.equals(width) ? height + " on every side"
                : height + " above and below, " + width + " left and right";
        if (extraRows == 0 && extraColumns == 0) {
            return around;
        }
        return around + ", and `output_padding` adds " + extraRows + " more at the bottom and " + extraColumns
                + " at the right";
    }

    /** The output element with the most input pixels under the kernel, written out as its sum. */
    private String workedElement() {
        float[][] padded = steps.padded();
        boolean[][] isPlaceholder = placeholders(padded.length, padded[0].length, steps.padTop(), steps.padLeft());
        float[][] flipped = steps.flippedKernel();
        List<String> best = List.of();
        int bestY = 0;
        int bestX = 0;
        for (int oy = 0; oy < rows.out(); oy++) {
            for (int ox = 0; ox < columns.out(); ox++) {
                List<String> terms = new ArrayList<>();
                for (int a = 0; a < rows.kernel(); a++) {
                    for (int b = 0; b < columns.kernel(); b++) {
                        int r = oy + a * rows.dilation();
                        int col = ox + b * columns.dilation();
                        if (!isPlaceholder[r][col]) {
                            terms.add(factor(padded[r][col]) + "*" + factor(flipped[a][b]));
                        }
                    }
                }
                if (terms.size() > best.size()) {
                    best = terms;
                    bestY = oy;
                    bestX = ox;
                }
            }
        }
        if (best.isEmpty()) {
            return "No input pixel reaches any output element: the padding cropped them all, so every output is 0.";
        }
        String element = oneDimensional ? "Y[" + bestX + "]" : "Y[" + bestY + "][" + bestX + "]";
        String value = Grid.number(steps.contribution()[bestY][bestX]);
        return "For example `" + element + " = " + String.join(" + ", best) + " = " + value
                + "`: the input pixels under the flipped kernel, times the kernel values they meet.";
    }

    private void writeMatrixView(Report report) {
        String outSize = size(rows.out(), columns.out());
        String inSize = size(rows.in(), columns.in());
        report.section("2. The matrix view");
        report.paragraph("The ordinary convolution with the same kernel, stride, padding and dilation goes the other"
                + " way: it turns " + a(rows.out(), columns.out()) + " map I into " + a(rows.in(), columns.in())
                + " map O. With the maps flattened row by"
                + " row it is a matrix product, `O = C * I`. C has one row for each of the " + c.rows()
                + " pixels of O and one column for each of the " + c.columns() + " pixels of I; a row holds the"
                + " kernel's values at the pixels of I that its output pixel sees, and zeros elsewhere.");
        report.grids(Grid.of("C (" + c.rows() + " x " + c.columns() + ")", c.toArray()));
        report.grids(Grid.reshaped("I (" + outSize + ")", i, rows.out(), columns.out()),
                Grid.reshaped("O = C * I (" + inSize + ")", o, rows.in(), columns.in()));
        report.block(List.of("I flattened: " + vector(i), "O = C * I:   " + vector(o)));

        float[] back = c.multiplyTransposed(o);
        report.paragraph("The transposed convolution is the product with the transpose `C^T` (" + c.columns() + " x "
                + c.rows() + "), which takes O's size, " + inSize + ", back to I's, " + outSize
                + ". `C^T * O`, reshaped like I:");
        report.grids(Grid.reshaped("C^T * O (" + outSize + ")", back, rows.out(), columns.out()));
        report.paragraph(Arrays.equals(back, i)
                ? "Here it even gives back the values of I: for this kernel `C^T * C` is the identity."
                : "It has the size of I (" + outSize + ") but not its values: `C^T` undoes the change of shape that"
                        + " C made, not the convolution itself (`C^T * C` is not the identity).");

        float[] y = flatten(steps.contribution());
        float[] viaMatrix = c.multiplyTransposed(flatten(x));
        String agreement = Arrays.equals(viaMatrix, y) ? "is" : "differs from";
        report.paragraph(roundTrip
                ? "That is what part 1 computed: its input X was O, and `C^T * O` " + agreement + " its output Y."
                : "The input X of part 1 goes the same way: `C^T * X` = " + vector(viaMatrix) + " " + agreement
                        + " the output Y of step 4, flattened.");
    }

    private void writeOutputSize(Report report) {
        ConvTransposeSpec spec = geometry.spec();
        report.section("3. The output size");
        List<String> lines = new ArrayList<>();
        lines.add("out = (in-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1");
        if (!oneDimensional) {
            lines.add("height: " + formula(rows, spec.padTop(), spec.outputPaddingH()));
        }
        lines.add((oneDimensional ? "length: " : "width:  ") + formula(columns, spec.padLeft(), spec.outputPaddingW()));
        report.block(lines);
        report.paragraph("`(in-1)*stride + 1` is the size after step 1, step 2 adds `2*(dilation*(k-1) - padding) +"
                + " output_padding`, and the stride-1 convolution of step 4 takes `dilation*(k-1)` away again.");
    }

    private static String formula(ConvTransposeGeometry.Axis axis, int padding, int outputPadding) {
        return "(" + axis.in() + "-1)*" + axis.stride() + " - 2*" + padding + " + " + axis.dilation() + "*("
                + axis.kernel() + "-1) + " + outputPadding + " + 1 = " + axis.out();
    }

    /**
     * Which cells of a map derived from the zero-inserted map (shifted by the padding) hold no
     * input pixel: those off the stride lattice or outside the input.
     */
    private boolean[][] placeholders(int height, int width, int top, int left) {
        boolean[][] marks = new boolean[height][width];
        for (int r = 0; r < height; r++) {
            for (int col = 0; col < width; col++) {
                int zr = r - top;
                int zc = col - left;
                boolean pixel = zr >= 0 && zc >= 0 && zr % rows.stride() == 0 && zc % columns.stride() == 0
                        && zr / rows.stride() < rows.in() && zc / columns.stride() < columns.in();
                marks[r][col] = !pixel;
            }
        }
        return marks;
    }

    /** {@code HxW}, or {@code length W} for 1-D. */
    private String size(long height, long width) {
        return oneDimensional ? "length " + width : height + "x" + width;
    }

    /** {@code a HxW}, or {@code a length-W} for 1-D, to precede a noun. */
    private String a(long height, long width) {
        return oneDimensional ? "a length-" + width : "a " + height + "x" + width;
    }

    /** One value when both axes agree (or for 1-D), else {@code H,W}. */
    private String perAxis(int height, int width) {
        return oneDimensional || height == width ? String.valueOf(width) : height + "," + width;
    }

    private static String factor(double v) {
        String s = Grid.number(v);
        return v < 0 ? "(" + s + ")" : s;
    }

    private static String vector(float[] v) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (float f : v) {
            j.add(Grid.number(f));
        }
        return j.toString();
    }

    private static float[] flatten(float[][] map) {
        int width = map[0].length;
        float[] flat = new float[map.length * width];
        for (int r = 0; r < map.length; r++) {
            System.arraycopy(map[r], 0, flat, r * width, width);
        }
        return flat;
    }

    private static float[] flatten(double[][] map) {
        int width = map[0].length;
        float[] flat = new float[map.length * width];
        for (int r = 0; r < map.length; r++) {
            for (int col = 0; col < width; col++) {
                flat[r * width + col] = (float) map[r][col];
            }
        }
        return flat;
    }

    private static float[][] reshape(float[] flat, int height, int width) {
        float[][] map = new float[height][width];
        for (int r = 0; r < height; r++) {
            System.arraycopy(flat, r * width, map[r], 0, width);
        }
        return map;
    }
}
