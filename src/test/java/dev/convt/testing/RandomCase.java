package dev.convt.testing;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A random but valid transposed convolution with operands, for property tests and cross-checks.
 * Every parameter varies: batch, channels, groups (including depthwise), kernel, stride, dilation,
 * symmetric and asymmetric padding, output padding, ONNX auto_pad and output_shape, 1-D specs
 * (run on rank 3 and rank 4 inputs), bias. Sizes stay small so thousands of cases run in seconds.
 *
 * @param spec the spec
 * @param inputShape the input shape
 * @param input the input in C order
 * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
 * @param bias {@code Cout} floats, or null when the spec has none
 * @param seed the seed that reproduces the case with {@link #generate(long, Options)}
 */
public record RandomCase(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights, float[] bias,
        long seed) {

    /**
     * Which kinds of padding to draw.
     *
     * @param autoPad allow ONNX auto_pad SAME_UPPER, SAME_LOWER, VALID
     * @param outputShape allow ONNX output_shape, including sizes above the natural one
     * @param maxSpatial largest input height and width
     */
    public record Options(boolean autoPad, boolean outputShape, int maxSpatial) {
        /** Everything the spec accepts, inputs up to 6x6. */
        public static final Options ALL = new Options(true, true, 6);
        /** Only PyTorch's parameters (explicit padding and output_padding). */
        public static final Options PYTORCH = new Options(false, false, 6);
    }

    /** @return the geometry the spec resolves to for the input shape */
    public ConvTransposeGeometry geometry() {
        return spec.geometry(inputShape);
    }

    /**
     * Draws a case; equal seeds give equal cases.
     *
     * @param seed the seed
     * @param options what to draw
     * @return a case whose spec and geometry are valid
     */
    public static RandomCase generate(long seed, Options options) {
        Random r = new Random(seed);
        for (int attempt = 0; ; attempt++) {
            RandomCase c = tryGenerate(r, seed, options);
            if (c != null) {
                return c;
            }
            if (attempt > 1000) {
                throw new IllegalStateException("no valid case drawn for seed " + seed);
            }
        }
    }

    private static RandomCase tryGenerate(Random r, long seed, Options o) {
        boolean oneD = r.nextInt(5) == 0;
        int groups = new int[] {1, 1, 1, 2, 3}[r.nextInt(5)];
        boolean depthwise = groups > 1 && r.nextInt(3) == 0;
        int cin = groups * (depthwise ? 1 : 1 + r.nextInt(3));
        int cout = groups * (depthwise ? 1 + r.nextInt(2) : 1 + r.nextInt(3));
        int kh = oneD ? 1 : 1 + r.nextInt(4);
        int kw = 1 + r.nextInt(4);
        int[] stride = axisPair(r, oneD, 3);
        int[] dilation = r.nextInt(3) == 0 ? axisPair(r, oneD, 3) : new int[] {1, 1};
        ConvTransposeSpec.Builder b = oneD ? ConvTransposeSpec.builder1d(cin, cout, kw)
                : ConvTransposeSpec.builder(cin, cout, kh, kw);
        b.groups(groups).bias(r.nextBoolean());
        setAxes(b::stride, oneD, stride);
        setAxes(b::dilation, oneD, dilation);

        List<Padding> modes = new ArrayList<>(List.of(Padding.NONE, Padding.SYMMETRIC, Padding.ASYMMETRIC));
        if (o.autoPad()) {
            modes.add(Padding.AUTO_PAD);
        }
        if (o.outputShape()) {
            modes.add(Padding.OUTPUT_SHAPE);
        }
        Padding mode = modes.get(r.nextInt(modes.size()));
        int[] outputPadding = {0, 0};
        if (r.nextInt(3) == 0) {
            outputPadding = new int[] {r.nextInt(Math.max(stride[0], dilation[0])), r.nextInt(Math.max(stride[1], dilation[1]))};
            setAxes(b::outputPadding, oneD, outputPadding);
        }
        int h = oneD ? 1 : 1 + r.nextInt(o.maxSpatial());
        int w = 1 + r.nextInt(o.maxSpatial());
        int[] in = {h, w};
        int[] k = {kh, kw};
        if (mode == Padding.SYMMETRIC) {
            setAxes(b::padding, oneD, new int[] {r.nextInt(extent(k[0], dilation[0]) + 1), r.nextInt(extent(k[1], dilation[1]) + 1)});
        } else if (mode == Padding.ASYMMETRIC) {
            int[] pads = new int[4];
            for (int i = 0; i < 4; i++) {
                pads[i] = r.nextInt(extent(k[i % 2], dilation[i % 2]) + 1);
            }
            b.pads(oneD ? new int[] {pads[1], pads[3]} : pads);
        } else if (mode == Padding.AUTO_PAD) {
            b.autoPad(ConvTransposeSpec.AutoPad.values()[1 + r.nextInt(3)]);
        }
        if (mode == Padding.OUTPUT_SHAPE) {
            int[] size = new int[2];
            for (int a = 0; a < 2; a++) {
                int natural = (in[a] - 1) * stride[a] + extent(k[a], dilation[a]) + outputPadding[a];
                size[a] = Math.max(1, natural - 3 + r.nextInt(7));
            }
            b.outputShape(oneD ? new int[] {size[1]} : size);
            if (r.nextBoolean()) {
                b.autoPad(r.nextBoolean() ? ConvTransposeSpec.AutoPad.SAME_UPPER : ConvTransposeSpec.AutoPad.SAME_LOWER);
            }
        }
        ConvTransposeSpec spec;
        ConvTransposeGeometry g;
        int batch = 1 + r.nextInt(3);
        long[] shape = oneD && r.nextInt(4) != 0 ? new long[] {batch, cin, w} : new long[] {batch, cin, h, w};
        try {
            spec = b.build();
            g = spec.geometry(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
        boolean integers = r.nextInt(4) == 0;
        float[] input = values(r, (int) g.inputCount(), integers);
        float[] weights = values(r, (int) spec.weightCount(), integers);
        float[] bias = spec.hasBias() ? values(r, cout, integers) : null;
        return new RandomCase(spec, shape, input, weights, bias, seed);
    }

    private enum Padding { NONE, SYMMETRIC, ASYMMETRIC, AUTO_PAD, OUTPUT_SHAPE }

    private static int extent(int kernel, int dilation) {
        return dilation * (kernel - 1) + 1;
    }

    private static int[] axisPair(Random r, boolean oneD, int max) {
        int w = 1 + r.nextInt(max);
        return new int[] {oneD ? 1 : 1 + r.nextInt(max), w};
    }

    private interface AxisSetter {
        ConvTransposeSpec.Builder set(int... values);
    }

    private static void setAxes(AxisSetter setter, boolean oneD, int[] values) {
        if (oneD) {
            setter.set(values[1]);
        } else {
            setter.set(values[0], values[1]);
        }
    }

    /** Uniform in [-1, 1), or small integers, whose products and sums are exact in float. */
    private static float[] values(Random r, int n, boolean integers) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = integers ? r.nextInt(9) - 4 : r.nextFloat() * 2 - 1;
        }
        return a;
    }

    /**
     * Draws {@code count} cases from consecutive seeds.
     *
     * @param firstSeed the first seed
     * @param count how many
     * @param options what to draw
     * @return the cases
     */
    public static List<RandomCase> generate(long firstSeed, int count, Options options) {
        List<RandomCase> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cases.add(generate(firstSeed + i, options));
        }
        return cases;
    }

    @Override
    public String toString() {
        return "RandomCase[seed " + seed + ", input " + Arrays.toString(inputShape) + ", " + spec + "]";
    }
}
