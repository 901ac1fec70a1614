package dev.convt.testing;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A random but valid transposed convolution with operands, an epilogue, a thread count and a
 * placement in memory: the one random case of the tests. {@link Options} say what to draw:
 * {@link Options#ALL} small specs with every parameter for the references,
 * {@link Options#KERNEL} the fast path's plans and tiles in property tries, {@link Options#FUZZ}
 * the differential fuzzer's larger cases.
 *
 * <p>The draw reaches every kernel path: tiny and odd-sized maps, maps narrower than one vector
 * with at least 32 output channels per group (the channel-tiled plan), wide maps (many vectors
 * per row), depthwise layers with strides up to 8 (many phases), 1-D specs on rank 3 and rank 4
 * inputs, groups up to depthwise, dilation, output padding, symmetric and asymmetric pads, every
 * ONNX auto_pad and output_shape (also above the natural size, where the output has bias-only
 * borders); and, in their own options, 3-D specs with every parameter drawn per axis, on small
 * volumes, on maps at least 16 wide (the pixel-tiled plan) and on maps narrower than one vector with
 * at least 32 output channels per group (the channel-tiled plan).
 *
 * @param spec the spec
 * @param inputShape the input shape
 * @param input the input in C order
 * @param weights {@link ConvTransposeSpec#weightShape()} in C order
 * @param bias {@code Cout} floats, or null when the spec has none
 * @param epilogue the fused activation
 * @param threads 1 runs {@code forward(in, out)}; more runs {@code forward(in, out, threads)}
 * @param byteOffset where the input and output start past a 64-byte aligned address (0, 4 or 1),
 *     so that unaligned tensors are covered
 * @param seed reproduces the case with {@link #generate(long, Options)}, or {@link #NO_SEED}
 */
public record RandomCase(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights, float[] bias,
        Epilogue epilogue, int threads, int byteOffset, long seed) {

    /** The seed of a case that was not drawn from a seed alone. */
    public static final long NO_SEED = Long.MIN_VALUE;

    /** A NaN with a payload no arithmetic produces: an element still holding it was never written. */
    public static final float UNWRITTEN = Float.intBitsToFloat(0x7fc0_dead);

    /**
     * A case without epilogue, on one thread, in aligned tensors.
     *
     * @param spec the spec
     * @param inputShape the input shape
     * @param input the input in C order
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
     * @param bias {@code Cout} floats, or null when the spec has none
     */
    public RandomCase(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights, float[] bias) {
        this(spec, inputShape, input, weights, bias, Epilogue.NONE, 1, 0, NO_SEED);
    }

    /** How the maps and channels of a case are shaped. */
    public enum Kind {
        /** Maps of at most 3 x 3. */
        TINY,
        /** Maps narrower than one vector, 32 to 101 output channels per group. */
        NARROW_MANY_CHANNELS,
        /** Rows of 48 to 397 pixels. */
        WIDE,
        /** Up to 24 x 40. */
        GENERAL,
        /** 1-D specs. */
        ONE_D,
        /** Depthwise, stride 1 to 8, kernel one or two strides. */
        STRIDED_DEPTHWISE,
        /** 3-D specs: volumes up to 5 x 5 x 5, every parameter drawn per axis. */
        THREE_D,
        /** 3-D specs on maps 16 to 63 wide, up to 3 deep and 4 tall. */
        THREE_D_WIDE,
        /** 3-D specs on maps narrower than one vector, 32 to 101 output channels per group. */
        THREE_D_NARROW_MANY_CHANNELS
    }

    /** The padding parameters a case may use. */
    public enum Padding { NONE, SYMMETRIC, ASYMMETRIC, AUTO_PAD, OUTPUT_SHAPE }

    /** How operands are drawn; each stresses the sums differently ({@link RandomFloats}). */
    public enum Values { UNIFORM, INTEGERS, WIDE_RANGE }

    /**
     * What to draw. Caps apply to the ranges the kinds draw from.
     *
     * @param kinds the map and channel shapes, drawn uniformly
     * @param maxKernel largest kernel side (2-D kinds draw at most 5, 1-D at most 7)
     * @param maxStride largest stride (but {@link Kind#STRIDED_DEPTHWISE} goes to 8)
     * @param maxChannels largest input and output channels per group, and depthwise groups
     * @param maxSpatial largest input height and width
     * @param paddings the padding modes, drawn uniformly
     * @param values the operand kinds, drawn uniformly
     * @param epilogues whether to draw an epilogue (else none)
     * @param threadsAndOffsets whether to draw a thread count and an unaligned placement (else 1 and 0)
     * @param maxProducts largest multiply-add count of a case, so the scalar reference stays fast
     */
    public record Options(List<Kind> kinds, int maxKernel, int maxStride, int maxChannels, int maxSpatial,
            List<Padding> paddings, List<Values> values, boolean epilogues, boolean threadsAndOffsets, long maxProducts) {

        /** Small specs with every parameter, inputs up to 6 x 6, uniform or integer operands, no epilogue. */
        public static final Options ALL = new Options(List.of(Kind.TINY, Kind.GENERAL, Kind.GENERAL, Kind.ONE_D), 4, 3,
                3, 6, List.of(Padding.values()), List.of(Values.UNIFORM, Values.UNIFORM, Values.UNIFORM, Values.INTEGERS),
                false, false, Long.MAX_VALUE);

        /** Every 1-D and 2-D kind and all epilogues, aligned and unaligned, up to 100,000 multiply-adds. */
        public static final Options KERNEL = new Options(List.of(Kind.TINY, Kind.NARROW_MANY_CHANNELS, Kind.WIDE,
                Kind.GENERAL, Kind.ONE_D, Kind.STRIDED_DEPTHWISE), 7, 4, Integer.MAX_VALUE, Integer.MAX_VALUE,
                List.of(Padding.values()), List.of(Values.values()), true, true, 100_000);

        /** The differential fuzzer's cases: up to 3 million multiply-adds, on 1 to 8 threads. */
        public static final Options FUZZ = new Options(List.of(Kind.TINY, Kind.NARROW_MANY_CHANNELS, Kind.WIDE, Kind.GENERAL,
                Kind.ONE_D), 7, 4, Integer.MAX_VALUE, Integer.MAX_VALUE, List.of(Padding.values()), List.of(Values.values()),
                true, true, 3_000_000);

        /** 3-D specs with every parameter, for the references, the layer and the peers. */
        public static final Options THREE_D = new Options(List.of(Kind.THREE_D), 4, 3, 3, 5, List.of(Padding.values()),
                List.of(Values.UNIFORM, Values.UNIFORM, Values.INTEGERS), false, false, 200_000);

        /**
         * The differential fuzzer's 3-D cases: small volumes and the shapes of the pixel- and
         * channel-tiled plans, epilogues, 1 to 8 threads, unaligned tensors, up to 300,000
         * multiply-adds. The narrow kind is listed twice: its many channels exceed the cap more
         * often, and those draws are drawn again.
         */
        public static final Options FUZZ_3D = new Options(List.of(Kind.THREE_D, Kind.THREE_D_WIDE,
                Kind.THREE_D_NARROW_MANY_CHANNELS, Kind.THREE_D_NARROW_MANY_CHANNELS), 4, 3, 8, 6,
                List.of(Padding.values()), List.of(Values.values()), true, true, 300_000);

        /** {@link #FUZZ_3D}'s kinds of the tiled plans only, on 1 to 8 threads, up to 300,000 multiply-adds. */
        public static final Options TILED_3D = new Options(List.of(Kind.THREE_D_WIDE, Kind.THREE_D_NARROW_MANY_CHANNELS,
                Kind.THREE_D_NARROW_MANY_CHANNELS), 4, 3, 8, 6, List.of(Padding.values()), List.of(Values.values()), true,
                true, 300_000);

        /**
         * @param n the largest input height and width
         * @return these options with that cap
         */
        public Options maxSpatial(int n) {
            return new Options(kinds, maxKernel, maxStride, maxChannels, n, paddings, values, epilogues, threadsAndOffsets,
                    maxProducts);
        }
    }

    /**
     * Draws the case of {@code seed}; equal seeds give equal cases.
     *
     * @param seed any long
     * @param options what to draw
     * @return a case whose spec and geometry are valid
     */
    public static RandomCase generate(long seed, Options options) {
        RandomCase c = draw(Source.of(seed), options);
        return new RandomCase(c.spec, c.inputShape, c.input, c.weights, c.bias, c.epilogue, c.threads, c.byteOffset, seed);
    }

    /**
     * @param options what to draw
     * @return a generator of cases, for {@link PropertyCheck}
     */
    public static Gen<RandomCase> gen(Options options) {
        return s -> draw(s, options);
    }

    private static RandomCase draw(Source r, Options o) {
        for (int attempt = 0; attempt < 100_000; attempt++) {
            RandomCase c = tryDraw(r, o);
            if (c != null) {
                return c;
            }
        }
        throw new IllegalStateException("no valid case drawn with " + o);
    }

    private static final int[] GROUPS = {1, 1, 1, 2, 3};

    private static RandomCase tryDraw(Source r, Options o) {
        Kind kind = r.pick(o.kinds());
        boolean oneD = kind == Kind.ONE_D;
        boolean narrow = kind == Kind.NARROW_MANY_CHANNELS || kind == Kind.THREE_D_NARROW_MANY_CHANNELS;
        int groups;
        int inPerGroup;
        int g = r.nextInt(6);
        if (g == 5 || kind == Kind.STRIDED_DEPTHWISE) {
            // depthwise: one input channel per group, a multiplier of output channels
            groups = 1 + r.nextInt(Math.min(narrow ? 4 : 12, o.maxChannels()));
            inPerGroup = 1;
        } else {
            groups = GROUPS[g];
            // Wide rows and 1-D cases draw up to 40 input channels: runs long enough for the wide 6x4 tile.
            boolean manyInputs = kind == Kind.WIDE || kind == Kind.ONE_D;
            inPerGroup = 1 + r.nextInt(Math.min(narrow ? 24 : manyInputs ? 40 : 6, o.maxChannels()));
        }
        int outPerGroup = narrow ? 32 + r.nextInt(70) : 1 + r.nextInt(Math.min(r.nextInt(4) == 0 ? 40 : 8, o.maxChannels()));
        int cin = groups * inPerGroup;
        int cout = groups * outPerGroup;

        boolean threeD = kind == Kind.THREE_D || kind == Kind.THREE_D_WIDE || kind == Kind.THREE_D_NARROW_MANY_CHANNELS;
        // Per-axis values are (D, H, W); the depth is drawn only in 3-D, so 1-D and 2-D cases stay as their seeds made them.
        int first = threeD ? 0 : 1;
        int kd = threeD ? 1 + r.nextInt(Math.min(4, o.maxKernel())) : 1;
        int[] k = {kd, oneD ? 1 : 1 + r.nextInt(Math.min(5, o.maxKernel())), 1 + r.nextInt(Math.min(oneD ? 7 : 5, o.maxKernel()))};
        int sd = threeD ? 1 + r.nextInt(Math.min(3, o.maxStride())) : 1;
        int[] stride = {sd, oneD ? 1 : 1 + r.nextInt(Math.min(4, o.maxStride())), 1 + r.nextInt(Math.min(4, o.maxStride()))};
        int[] dilation = r.nextInt(3) == 0
                ? new int[] {threeD ? 1 + r.nextInt(3) : 1, oneD ? 1 : 1 + r.nextInt(3), 1 + r.nextInt(3)} : new int[] {1, 1, 1};
        int cap = o.maxSpatial();
        int d = 1;
        int h;
        int w;
        switch (kind) {
            case TINY -> {
                h = 1 + r.nextInt(Math.min(3, cap));
                w = 1 + r.nextInt(Math.min(3, cap));
            }
            case NARROW_MANY_CHANNELS -> {
                h = 1 + r.nextInt(Math.min(9, cap));
                // grid width ceil(outW / strideW) below 16 lanes: out W at most about 15 * stride
                w = 1 + r.nextInt(Math.min(Math.max(1, 15 - dilation[2] * (k[2] - 1) / stride[2]), cap));
            }
            case WIDE -> {
                h = 1 + r.nextInt(Math.min(3, cap));
                w = 48 + r.nextInt(350);
            }
            case GENERAL -> {
                h = 1 + r.nextInt(Math.min(24, cap));
                w = 1 + r.nextInt(Math.min(40, cap));
            }
            case ONE_D -> {
                h = 1;
                w = 1 + r.nextInt(Math.min(r.nextBoolean() ? 9 : 300, cap));
            }
            case STRIDED_DEPTHWISE -> {
                h = 1 + r.nextInt(Math.min(10, cap));
                w = 1 + r.nextInt(Math.min(40, cap));
                for (int a = 1; a < 3; a++) {
                    stride[a] = 1 + r.nextInt(8);
                    k[a] = stride[a] * (1 + r.nextInt(2));
                }
            }
            case THREE_D -> {
                d = 1 + r.nextInt(Math.min(5, cap));
                h = 1 + r.nextInt(Math.min(5, cap));
                w = 1 + r.nextInt(Math.min(5, cap));
            }
            case THREE_D_WIDE -> {
                d = 1 + r.nextInt(3);
                h = 1 + r.nextInt(4);
                w = 16 + r.nextInt(48);
            }
            case THREE_D_NARROW_MANY_CHANNELS -> {
                d = 1 + r.nextInt(3);
                h = 1 + r.nextInt(5);
                // as for NARROW_MANY_CHANNELS: a grid narrower than 16 lanes
                w = 1 + r.nextInt(Math.max(1, 15 - dilation[2] * (k[2] - 1) / stride[2]));
            }
            default -> throw new IllegalStateException("unreachable: " + kind);
        }
        int[] in = {d, h, w};
        int rank = oneD ? 1 : 3 - first;

        List<SpecRecipe.Call> calls = new ArrayList<>();
        calls.add(new SpecRecipe.Groups(groups));
        calls.add(new SpecRecipe.Bias(r.nextBoolean()));
        calls.add(new SpecRecipe.Stride(axes(rank, stride)));
        calls.add(new SpecRecipe.Dilation(axes(rank, dilation)));
        int[] outputPadding = {0, 0, 0};
        if (r.nextInt(3) == 0) {
            for (int a = first; a < 3; a++) {
                outputPadding[a] = oneD && a == 1 ? 0 : r.nextInt(Math.max(stride[a], dilation[a]));
            }
            calls.add(new SpecRecipe.OutputPadding(axes(rank, outputPadding)));
        }
        switch (r.pick(o.paddings())) {
            case NONE -> { }
            case SYMMETRIC -> {
                int[] padding = new int[3];
                for (int a = first; a < 3; a++) {
                    padding[a] = r.nextInt(extent(k[a], dilation[a]) + 1);
                }
                calls.add(new SpecRecipe.Padding(axes(rank, padding)));
            }
            case ASYMMETRIC -> {
                // Drawn begins then ends over the (H, W) or (D, H, W) axes; a 1-D spec keeps the width's.
                int n = 3 - first;
                int[] pads = new int[2 * n];
                for (int i = 0; i < 2 * n; i++) {
                    int a = first + i % n;
                    pads[i] = r.nextInt(extent(k[a], dilation[a]) + 2);
                }
                calls.add(new SpecRecipe.Pads(oneD ? new int[] {pads[1], pads[3]} : pads));
            }
            case AUTO_PAD -> calls.add(new SpecRecipe.AutoPad(ConvTransposeSpec.AutoPad.values()[1 + r.nextInt(3)]));
            case OUTPUT_SHAPE -> {
                int[] size = new int[3];
                for (int a = first; a < 3; a++) {
                    int natural = (in[a] - 1) * stride[a] + extent(k[a], dilation[a]) + outputPadding[a];
                    size[a] = Math.max(1, natural - 4 + r.nextInt(9));
                }
                calls.add(new SpecRecipe.OutputShape(axes(rank, size)));
                int mode = r.nextInt(3);
                if (mode > 0) {
                    calls.add(new SpecRecipe.AutoPad(mode == 1 ? ConvTransposeSpec.AutoPad.SAME_UPPER
                            : ConvTransposeSpec.AutoPad.SAME_LOWER));
                }
            }
            default -> throw new IllegalStateException("unreachable");
        }
        int batch = 1 + r.nextInt(3);
        long[] shape = oneD && r.nextBoolean() ? new long[] {batch, cin, w}
                : threeD ? new long[] {batch, cin, d, h, w} : new long[] {batch, cin, h, w};
        ConvTransposeSpec spec;
        ConvTransposeGeometry geometry;
        try {
            spec = new SpecRecipe(rank, cin, cout, k[0], k[1], k[2], calls).build();
            geometry = spec.geometry(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
        long products = geometry.inputCount() * outPerGroup * spec.kernelTaps();
        if (products > o.maxProducts() || geometry.outputCount() > o.maxProducts()) {
            return null;
        }
        Values values = r.pick(o.values());
        float[] x = fill(values, r, (int) geometry.inputCount());
        float[] weights = fill(values, r, (int) spec.weightCount());
        float[] bias = spec.hasBias() ? fill(values, r, cout) : null;
        int threads = o.threadsAndOffsets() ? r.pickInt(1, 1, 2, 3, 8) : 1;
        int offset = o.threadsAndOffsets() ? r.pickInt(0, 0, 4, 1) : 0;
        return new RandomCase(spec, shape, x, weights, bias, o.epilogues() ? epilogue(r) : Epilogue.NONE, threads, offset,
                NO_SEED);
    }

    private static float[] fill(Values v, Source r, int n) {
        return switch (v) {
            case UNIFORM -> RandomFloats.uniform(r, n);
            case INTEGERS -> RandomFloats.smallIntegers(r, n);
            case WIDE_RANGE -> RandomFloats.wideRange(r, n);
        };
    }

    private static Epilogue epilogue(Source r) {
        return switch (r.nextInt(8)) {
            case 0 -> Epilogue.relu();
            case 1 -> Epilogue.leakyRelu(r.pick(0.01f, 0.2f, -0.5f, 3f, 0f));
            case 2 -> {
                float lo = (float) (r.nextDouble() * 2 - 1.5);
                yield Epilogue.clamp(lo, lo + (float) r.nextDouble() * 2);
            }
            case 3 -> Epilogue.sigmoid();
            case 4 -> Epilogue.tanh();
            default -> Epilogue.NONE;
        };
    }

    private static int extent(int kernel, int dilation) {
        return dilation * (kernel - 1) + 1;
    }

    /** The builder's arguments for per-axis values {@code {depth, height, width}}: the last {@code rank}. */
    private static int[] axes(int rank, int[] values) {
        return Arrays.copyOfRange(values, 3 - rank, 3);
    }

    /** @return the geometry the spec resolves to for the input shape */
    public ConvTransposeGeometry geometry() {
        return spec.geometry(inputShape);
    }

    /** @return a layer of the spec, weights, bias and epilogue; the caller closes it */
    public ConvTransposeLayer layer() {
        ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(spec).weights(weights).epilogue(epilogue);
        if (bias != null) {
            b.bias(bias);
        }
        return b.build();
    }

    /**
     * Runs {@code layer} on this case's input, placed at {@link #byteOffset}, into an output
     * filled with {@link #UNWRITTEN}.
     *
     * @param layer a layer of this case
     * @param threads 1 for {@code forward(in, out)} on the calling thread, else {@code forward(in, out, threads)}
     * @return the output in C order
     */
    public float[] run(ConvTransposeLayer layer, int threads) {
        try (Arena arena = Arena.ofShared()) {
            ConvTransposeGeometry g = geometry();
            Tensor x = place(arena, byteOffset, g.inputShape());
            x.copyFrom(input);
            Tensor y = place(arena, byteOffset, g.outputShape());
            y.fill(UNWRITTEN);
            if (threads == 1) {
                layer.forward(x, y);
            } else {
                layer.forward(x, y, threads);
            }
            return y.toArray();
        }
    }

    /** A tensor whose first byte is {@code offset} bytes past a 64-byte boundary. */
    private static Tensor place(Arena arena, int offset, long[] shape) {
        long bytes = Arrays.stream(shape).reduce(1, Math::multiplyExact) * Float.BYTES;
        MemorySegment s = arena.allocate(bytes + offset, Tensor.ALIGNMENT).asSlice(offset, bytes);
        return Tensor.wrap(s, shape);
    }

    @Override
    public String toString() {
        return "RandomCase[" + (seed == NO_SEED ? "" : "seed " + seed + ", ") + "input " + Arrays.toString(inputShape) + ", "
                + spec + ", epilogue " + epilogue + ", threads " + threads + ", byte offset " + byteOffset + "]";
    }
}
