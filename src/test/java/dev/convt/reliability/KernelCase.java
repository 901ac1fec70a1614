package dev.convt.reliability;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One random transposed convolution for differential fuzzing of the fast path: the spec, the
 * input shape, the operands, an epilogue, how many threads run it and where the tensors sit in
 * memory. Everything is derived from {@link #seed}, so a failure is reproduced by its seed alone.
 *
 * <p>The draw deliberately reaches every kernel path: tiny and odd-sized maps, maps narrower than
 * one vector with at least 32 output channels per group (the channel-vectorized plan), wide maps
 * (many vectors per row), 1-D specs on rank 3 and rank 4 inputs, groups up to depthwise, dilation,
 * output padding, symmetric and asymmetric pads, every ONNX auto_pad and output_shape (also above
 * the natural size, where the output has bias-only borders).
 *
 * @param spec the spec
 * @param inputShape the input shape
 * @param input the input in C order
 * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
 * @param bias {@code Cout} floats, or null when the spec has none
 * @param epilogue the fused activation
 * @param threads 1 runs {@code forward(in, out)}; more runs {@code forward(in, out, threads)}
 * @param byteOffset where the input and output start past a 64-byte aligned address (0, 4 or 1),
 *     so that unaligned tensors are covered
 * @param seed reproduces the case with {@link #draw(long)}
 */
record KernelCase(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights, float[] bias,
        Epilogue epilogue, int threads, int byteOffset, long seed) {

    /** The seed of a case that was not drawn by {@link #draw} (jqwik's report reproduces those). */
    static final long NO_SEED = Long.MIN_VALUE;

    /** Multiply-adds the scalar reference may do per case, so thousands of cases fit in minutes. */
    private static final long MAX_PRODUCTS = 3_000_000;

    private enum MapKind { TINY, NARROW_MANY_CHANNELS, WIDE, GENERAL, ONE_D }

    private enum Padding { NONE, SYMMETRIC, ASYMMETRIC, AUTO_PAD, OUTPUT_SHAPE }

    ConvTransposeGeometry geometry() {
        return spec.geometry(inputShape);
    }

    /**
     * Draws the case of {@code seed}; equal seeds give equal cases.
     *
     * @param seed any long
     * @return a case whose spec and geometry are valid
     */
    static KernelCase draw(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        while (true) {
            KernelCase c = tryDraw(r, seed);
            if (c != null) {
                return c;
            }
        }
    }

    private static KernelCase tryDraw(SplittableRandom r, long seed) {
        MapKind kind = MapKind.values()[r.nextInt(MapKind.values().length)];
        boolean oneD = kind == MapKind.ONE_D;
        int groups;
        int inPerGroup;
        int outPerGroup;
        int g = r.nextInt(6);
        if (g == 5) {
            // depthwise: one input channel per group, a multiplier of output channels
            groups = 1 + r.nextInt(kind == MapKind.NARROW_MANY_CHANNELS ? 4 : 12);
            inPerGroup = 1;
        } else {
            groups = new int[] {1, 1, 1, 2, 3}[g];
            inPerGroup = 1 + r.nextInt(kind == MapKind.NARROW_MANY_CHANNELS ? 24 : 6);
        }
        outPerGroup = kind == MapKind.NARROW_MANY_CHANNELS ? 32 + r.nextInt(70) : 1 + r.nextInt(r.nextInt(4) == 0 ? 40 : 8);
        int cin = groups * inPerGroup;
        int cout = groups * outPerGroup;

        int kh = oneD ? 1 : 1 + r.nextInt(5);
        int kw = 1 + r.nextInt(oneD ? 7 : 5);
        int[] stride = {oneD ? 1 : 1 + r.nextInt(4), 1 + r.nextInt(4)};
        int[] dilation = r.nextInt(3) == 0 ? new int[] {oneD ? 1 : 1 + r.nextInt(3), 1 + r.nextInt(3)} : new int[] {1, 1};
        int[] k = {kh, kw};
        int h;
        int w;
        switch (kind) {
            case TINY -> {
                h = 1 + r.nextInt(3);
                w = 1 + r.nextInt(3);
            }
            case NARROW_MANY_CHANNELS -> {
                h = 1 + r.nextInt(9);
                // grid width ceil(outW / strideW) below 16 lanes: out W at most about 15 * stride
                w = 1 + r.nextInt(Math.max(1, 15 - dilation[1] * (kw - 1) / stride[1]));
            }
            case WIDE -> {
                h = 1 + r.nextInt(3);
                w = 48 + r.nextInt(350);
            }
            case GENERAL -> {
                h = 1 + r.nextInt(24);
                w = 1 + r.nextInt(40);
            }
            default -> {
                h = 1;
                w = 1 + r.nextInt(r.nextBoolean() ? 9 : 300);
            }
        }
        int[] in = {h, w};

        ConvTransposeSpec.Builder b = oneD ? ConvTransposeSpec.builder1d(cin, cout, kw) : ConvTransposeSpec.builder(cin, cout, kh, kw);
        b.groups(groups).bias(r.nextBoolean());
        set(b::stride, oneD, stride);
        set(b::dilation, oneD, dilation);
        int[] outputPadding = {0, 0};
        if (r.nextInt(3) == 0) {
            outputPadding = new int[] {oneD ? 0 : r.nextInt(Math.max(stride[0], dilation[0])),
                r.nextInt(Math.max(stride[1], dilation[1]))};
            set(b::outputPadding, oneD, outputPadding);
        }
        Padding padding = Padding.values()[r.nextInt(Padding.values().length)];
        switch (padding) {
            case NONE -> { }
            case SYMMETRIC -> set(b::padding, oneD, new int[] {r.nextInt(extent(k[0], dilation[0]) + 1),
                r.nextInt(extent(k[1], dilation[1]) + 1)});
            case ASYMMETRIC -> {
                int[] pads = new int[4];
                for (int i = 0; i < 4; i++) {
                    pads[i] = r.nextInt(extent(k[i % 2], dilation[i % 2]) + 2);
                }
                b.pads(oneD ? new int[] {pads[1], pads[3]} : pads);
            }
            case AUTO_PAD -> b.autoPad(ConvTransposeSpec.AutoPad.values()[1 + r.nextInt(3)]);
            case OUTPUT_SHAPE -> {
                int[] size = new int[2];
                for (int a = 0; a < 2; a++) {
                    int natural = (in[a] - 1) * stride[a] + extent(k[a], dilation[a]) + outputPadding[a];
                    size[a] = Math.max(1, natural - 4 + r.nextInt(9));
                }
                b.outputShape(oneD ? new int[] {size[1]} : size);
                int mode = r.nextInt(3);
                if (mode > 0) {
                    b.autoPad(mode == 1 ? ConvTransposeSpec.AutoPad.SAME_UPPER : ConvTransposeSpec.AutoPad.SAME_LOWER);
                }
            }
        }
        int batch = 1 + r.nextInt(3);
        long[] shape = oneD && r.nextBoolean() ? new long[] {batch, cin, w} : new long[] {batch, cin, h, w};
        ConvTransposeSpec spec;
        ConvTransposeGeometry geometry;
        try {
            spec = b.build();
            geometry = spec.geometry(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
        long products = geometry.inputCount() * outPerGroup * kh * kw;
        if (products > MAX_PRODUCTS || geometry.outputCount() > MAX_PRODUCTS) {
            return null;
        }
        Values values = Values.values()[r.nextInt(Values.values().length)];
        float[] x = values.fill(r, (int) geometry.inputCount());
        float[] weights = values.fill(r, (int) spec.weightCount());
        float[] bias = spec.hasBias() ? values.fill(r, cout) : null;
        int threads = new int[] {1, 1, 2, 3, 8}[r.nextInt(5)];
        int offset = new int[] {0, 0, 4, 1}[r.nextInt(4)];
        return new KernelCase(spec, shape, x, weights, bias, epilogue(r), threads, offset, seed);
    }

    /** How operands are drawn: each stresses the sums differently. */
    private enum Values {
        /** Uniform in [-1, 1). */
        UNIFORM,
        /** Small integers: every product and sum is exact in float, so the result must be exact. */
        INTEGERS,
        /** Magnitudes spread over 2^-20 .. 2^20, so a term in the wrong place is never hidden. */
        WIDE_RANGE;

        float[] fill(SplittableRandom r, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = switch (this) {
                    case UNIFORM -> (float) (r.nextDouble() * 2 - 1);
                    case INTEGERS -> r.nextInt(9) - 4;
                    case WIDE_RANGE -> (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), r.nextInt(41) - 20));
                };
            }
            return a;
        }
    }

    private static Epilogue epilogue(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> Epilogue.relu();
            case 1 -> Epilogue.leakyRelu(new float[] {0.01f, 0.2f, -0.5f, 3f, 0f}[r.nextInt(5)]);
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

    private interface AxisSetter {
        ConvTransposeSpec.Builder set(int... values);
    }

    private static void set(AxisSetter setter, boolean oneD, int[] values) {
        if (oneD) {
            setter.set(values[1]);
        } else {
            setter.set(values[0], values[1]);
        }
    }

    @Override
    public String toString() {
        return "KernelCase[seed " + seed + ", input " + Arrays.toString(inputShape) + ", " + spec + ", epilogue "
                + epilogue + ", threads " + threads + ", byte offset " + byteOffset + "]";
    }
}
