package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * A random spec and operands shaped to reach each of the kernel's plans and tile shapes: few
 * channels on small maps, many output channels on maps narrower than a vector (vectors over
 * channels), wide maps (tiles crossing grid rows, several chunks), and depthwise layers with
 * large kernels and strides (many phases).
 *
 * @param spec the spec
 * @param inputShape the input shape
 * @param input the input in C order
 * @param weights {@code [Cin, Cout/groups, kH, kW]}
 * @param bias {@code Cout} floats or null
 * @param epilogue the fused activation
 */
record KernelCase(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights, float[] bias,
        Epilogue epilogue) {

    enum Regime { SMALL, MANY_CHANNELS, WIDE, DEPTHWISE }

    static final Epilogue[] EPILOGUES = {Epilogue.NONE, Epilogue.relu(), Epilogue.leakyRelu(0.1f),
        Epilogue.clamp(-0.5f, 0.5f), Epilogue.sigmoid(), Epilogue.tanh()};

    /**
     * Draws a case from the given parameters; the regime decides channel counts and map sizes (and,
     * for depthwise, stride and kernel), the seed the remaining sizes and all values.
     *
     * @return a case, or null when the drawn parameters give no valid geometry (an output side
     *     below 1), which the caller skips
     */
    static KernelCase draw(Regime regime, boolean oneD, int kh, int kw, int sh, int sw, int dh, int dw, int padMode,
            int epilogue, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int groups;
        int cin;
        int cout;
        int h;
        int w;
        switch (regime) {
            case SMALL -> {
                groups = 1 + r.nextInt(3);
                cin = groups * (1 + r.nextInt(4));
                cout = groups * (1 + r.nextInt(5));
                h = 1 + r.nextInt(12);
                w = 1 + r.nextInt(40);
            }
            case MANY_CHANNELS -> {
                groups = 1 + r.nextInt(2);
                cin = groups * (1 + r.nextInt(8));
                cout = groups * (32 + r.nextInt(60));
                h = 1 + r.nextInt(6);
                w = 1 + r.nextInt(6);
            }
            case WIDE -> {
                groups = 1;
                cin = 1 + r.nextInt(4);
                cout = 1 + r.nextInt(6);
                h = 1 + r.nextInt(4);
                w = 40 + r.nextInt(120);
            }
            default -> {
                groups = 1 + r.nextInt(8);
                cin = groups;
                cout = groups;
                h = 1 + r.nextInt(10);
                w = 1 + r.nextInt(40);
                sh = 1 + r.nextInt(8);
                sw = 1 + r.nextInt(8);
                kh = sh * (1 + r.nextInt(2));
                kw = sw * (1 + r.nextInt(2));
            }
        }
        if (oneD) {
            h = 1;
        }
        ConvTransposeSpec.Builder b = oneD ? ConvTransposeSpec.builder1d(cin, cout, kw).stride(sw).dilation(dw)
                : ConvTransposeSpec.builder(cin, cout, kh, kw).stride(sh, sw).dilation(dh, dw);
        b.groups(groups).bias(r.nextInt(4) != 0);
        int opH = r.nextInt(Math.max(sh, dh));
        int opW = r.nextInt(Math.max(sw, dw));
        switch (padMode) {
            case 0 -> b.padding(oneD ? new int[] {r.nextInt(kw * dw)} : new int[] {r.nextInt(kh * dh), r.nextInt(kw * dw)})
                    .outputPadding(oneD ? new int[] {opW} : new int[] {opH, opW});
            case 1 -> b.pads(oneD ? new int[] {r.nextInt(kw * dw), r.nextInt(kw * dw)}
                    : new int[] {r.nextInt(kh * dh), r.nextInt(kw * dw), r.nextInt(kh * dh), r.nextInt(kw * dw)});
            case 2 -> b.autoPad(ConvTransposeSpec.AutoPad.values()[1 + r.nextInt(3)]);
            default -> b.outputShape(oneD ? new int[] {1 + r.nextInt(w * sw + kw * dw)}
                    : new int[] {1 + r.nextInt(h * sh + kh * dh), 1 + r.nextInt(w * sw + kw * dw)});
        }
        ConvTransposeSpec spec;
        long[] shape = oneD ? new long[] {1 + r.nextInt(3), cin, w} : new long[] {1 + r.nextInt(3), cin, h, w};
        try {
            spec = b.build();
            spec.geometry(shape);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new KernelCase(spec, shape, values(r, (int) spec.geometry(shape).inputCount()),
                values(r, (int) spec.weightCount()), spec.hasBias() ? values(r, cout) : null, EPILOGUES[epilogue]);
    }

    private static float[] values(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    ConvTransposeGeometry geometry() {
        return spec.geometry(inputShape);
    }

    ConvTransposeLayer layer() {
        ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(spec).weights(weights).epilogue(epilogue);
        if (bias != null) {
            b.bias(bias);
        }
        return b.build();
    }

    /** Runs the layer on {@code threads} threads (1: the calling thread only). */
    float[] run(ConvTransposeLayer layer, int threads) {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.of(arena, input, inputShape);
            Tensor y = Tensor.allocate(arena, geometry().outputShape());
            y.fill(Float.NaN);
            if (threads == 1) {
                layer.forward(x, y);
            } else {
                layer.forward(x, y, threads);
            }
            return y.toArray();
        }
    }

    @Override
    public String toString() {
        return spec + " on " + java.util.Arrays.toString(inputShape) + ", epilogue " + epilogue;
    }
}
