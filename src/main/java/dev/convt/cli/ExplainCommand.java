package dev.convt.cli;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.io.PrintStream;
import java.util.Set;

/**
 * {@code convt explain}: reads the example's geometry and values from the options, refuses what
 * would not fit a terminal, and has {@link Explanation} write the walk-through.
 */
final class ExplainCommand extends Command {

    /** Longest side of a printed map; the padded input is the largest. */
    static final int MAX_MAP_SIDE = 32;

    /** Most rows and most columns of the printed matrix C. */
    static final int MAX_MATRIX_SIDE = 64;

    private static final String USAGE = """
            Usage: convt explain [options]

            Shows, for a small one-channel 1-D or 2-D example, how a transposed convolution is computed:
              1. the input with stride-1 zeros inserted, padded by dilation*(k-1)-padding, the
                 flipped kernel, and the stride-1 convolution that gives the output;
              2. the same operation as a matrix: the transpose C^T of the ordinary convolution's C;
              3. the output-size formula with the numbers filled in.

            Examples (the classic ones; the geometry options below override parts of them):
              --example 1          2x2 input, 3x3 kernel, stride 1, padding 0 -> 4x4 (default)
              --example 2          2x2 input, 3x3 kernel, stride 2, padding 0 -> 5x5
              --example 3          2x2 input, 3x3 kernel, stride 2, padding 1 -> 3x3
              --example 4          the matrix example: a 4x4 map I and a 3x3 kernel, C is 4 x 16;
                                   the input is O = C*I and the output C^T*O (as --round-trip)

            Geometry:
              --input HxW          input size; one number (e.g. 5) for 1-D
              --kernel K           kernel size: K (square in 2-D) or KHxKW
              --stride S           one value for both axes, or H,W
              --padding P          as --stride
              --output-padding OP  as --stride
              --dilation D         as --stride

            Values:
              --values V           iota (1, 2, 3, ...; default), ones, random (whole numbers from
                                   -4 to 4) or a .npy file holding the input map; fills the input,
                                   the map I of part 2 (iota when V is a file) and, unless
                                   --kernel-values is given, the kernel
              --kernel-values V    the kernel's values, as for --values
              --seed N             seed of random (default 1)
              --round-trip         make the input O = C*I, the ordinary convolution of I, so that
                                   part 1 computes C^T*C*I

            Output:
              --format F           text (default) or md (Markdown)
              -h, --help           show this help

            Maps may have up to 32 rows and columns, C up to 64 x 64.
            """;

    private static final Set<String> VALUED = Set.of("--example", "--input", "--kernel", "--stride", "--padding",
            "--output-padding", "--dilation", "--values", "--kernel-values", "--seed", "--format");

    /** A classic example: a square input and kernel, one stride and padding for both axes. */
    private record Example(int input, int kernel, int stride, int padding, boolean roundTrip) {}

    private static final Example[] EXAMPLES = {
        new Example(2, 3, 1, 0, false),
        new Example(2, 3, 2, 0, false),
        new Example(2, 3, 2, 1, false),
        new Example(2, 3, 1, 0, true),
    };

    ExplainCommand() {
        super(USAGE, VALUED, Set.of("--round-trip"));
    }

    @Override
    void execute(Options options, PrintStream out) {
        int number = options.integer("--example", 1);
        if (number < 1 || number > EXAMPLES.length) {
            throw new CliException("--example " + number + ": there are examples 1 to " + EXAMPLES.length);
        }
        Example example = EXAMPLES[number - 1];
        Report.Format format = Report.Format.parse("--format", valueOr(options, "--format", "text"));
        long seed = options.integer("--seed", 1);
        MapValues values = MapValues.parse("--values", valueOr(options, "--values", "iota"), seed);
        MapValues kernelValues = options.has("--kernel-values")
                ? MapValues.parse("--kernel-values", options.value("--kernel-values"), seed + 1)
                : values.isFile() ? MapValues.IOTA : values;
        boolean roundTrip = example.roundTrip() || options.has("--round-trip");
        if (roundTrip && values.isFile()) {
            throw new CliException("--round-trip computes the input as C*I; --values must then be iota, ones or random");
        }
        ConvTransposeGeometry geometry = geometry(options, example, values, kernelValues);
        requirePrintable(geometry);

        ConvTransposeGeometry.Axis h = geometry.height();
        ConvTransposeGeometry.Axis w = geometry.width();
        boolean oneDimensional = geometry.spec().isOneDimensional();
        // The values are drawn in the order the reader meets the maps: input, kernel, then I.
        float[][] x = roundTrip ? null : values.map("the input", h.in(), w.in(), oneDimensional);
        float[][] k = kernelValues.map("the kernel", h.kernel(), w.kernel(), oneDimensional);
        float[][] i = (values.isFile() ? MapValues.IOTA : values).map("I", h.out(), w.out(), oneDimensional);
        new Explanation(geometry, x, k, i).write(new Report(out, format));
    }

    private static String valueOr(Options options, String option, String fallback) {
        String value = options.value(option);
        return value == null ? fallback : value;
    }

    /** One input and one output channel, no bias; sizes from the options, else the value files, else the example. */
    private static ConvTransposeGeometry geometry(Options options, Example example, MapValues values,
            MapValues kernelValues) {
        for (String option : new String[] {"--stride", "--padding", "--output-padding", "--dilation"}) {
            String text = options.value(option);
            if (text != null && text.split(",", -1).length == 3) {
                throw threeD(option + " " + text);
            }
        }
        int[] input = sizes("--input", options.value("--input"), values.fileSize(),
                new int[] {example.input(), example.input()});
        boolean oneDimensional = input.length == 1;
        int[] kernel = sizes("--kernel", options.value("--kernel"), kernelValues.fileSize(),
                oneDimensional ? new int[] {example.kernel()} : new int[] {example.kernel(), example.kernel()});
        if (kernel.length == 1 && !oneDimensional) {
            kernel = new int[] {kernel[0], kernel[0]};
        }
        if (kernel.length != input.length) {
            throw new CliException("the kernel " + kernel[0] + "x" + kernel[1] + " is 2-D but the input " + input[0]
                    + " is 1-D");
        }
        ConvTransposeSpec.Builder b = oneDimensional
                ? ConvTransposeSpec.builder1d(1, 1, kernel[0])
                : ConvTransposeSpec.builder(1, 1, kernel[0], kernel[1]);
        b.bias(false).stride(example.stride()).padding(example.padding());
        options.ifGiven("--stride", b::stride);
        options.ifGiven("--padding", b::padding);
        options.ifGiven("--output-padding", b::outputPadding);
        options.ifGiven("--dilation", b::dilation);
        ConvTransposeSpec spec = b.build();
        return oneDimensional ? spec.geometry(1, 1, input[0]) : spec.geometry(1, 1, input[0], input[1]);
    }

    /** Sizes {@code HxW} or {@code N}: from the option, else a values file's shape, else the example. */
    private static int[] sizes(String option, String text, int[] fromFile, int[] fromExample) {
        if (text == null) {
            return fromFile != null ? fromFile : fromExample;
        }
        String[] parts = text.strip().split("x", -1);
        if (parts.length == 3) {
            throw threeD(option + " " + text);
        }
        if (parts.length > 2) {
            throw new CliException(option + ": '" + text + "' is not a size (HxW, or one number)");
        }
        int[] sizes = new int[parts.length];
        for (int d = 0; d < parts.length; d++) {
            sizes[d] = Options.parseInt(option, parts[d]);
            if (sizes[d] < 1) {
                throw new CliException(option + " " + text + ": sizes must be at least 1");
            }
        }
        return sizes;
    }

    /** The walk-through prints maps and a matrix of 1-D and 2-D examples only. */
    private static CliException threeD(String given) {
        return new CliException("explain shows 1-D and 2-D examples only; " + given + " is 3-D (convt run computes"
                + " 3-D transposed convolutions)");
    }

    private static void requirePrintable(ConvTransposeGeometry g) {
        ConvTransposeGeometry.Axis h = g.height();
        ConvTransposeGeometry.Axis w = g.width();
        long rows = Math.max(Math.max(h.in(), (long) (h.in() - 1) * h.stride() + 1), Math.max(h.out() + h.extent() - 1,
                h.kernel()));
        long columns = Math.max(Math.max(w.in(), (long) (w.in() - 1) * w.stride() + 1), Math.max(w.out() + w.extent() - 1,
                w.kernel()));
        if (rows > MAX_MAP_SIDE || columns > MAX_MAP_SIDE) {
            String largest = g.spec().isOneDimensional() ? "length " + columns : rows + "x" + columns;
            throw new CliException("too large to print: the largest map would be " + largest + " (at most "
                    + MAX_MAP_SIDE + " per side); choose a smaller --input, --kernel, --stride or --dilation");
        }
        long matrixRows = (long) h.in() * w.in();
        long matrixColumns = (long) h.out() * w.out();
        if (matrixRows > MAX_MATRIX_SIDE || matrixColumns > MAX_MATRIX_SIDE) {
            throw new CliException("too large to print: the matrix C would be " + matrixRows + " x " + matrixColumns
                    + " (at most " + MAX_MATRIX_SIDE + " x " + MAX_MATRIX_SIDE + "); choose a smaller --input");
        }
    }
}
