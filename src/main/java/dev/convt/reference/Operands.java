package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The operands of one transposed convolution as plain arrays, checked against the geometry, and
 * the index arithmetic the references share (layouts only; each reference has its own algorithm).
 */
record Operands(ConvTransposeGeometry geometry, float[] input, float[] weights, float[] bias, Epilogue epilogue) {

    static Operands of(ConvTransposeGeometry g, float[] input, float[] weights, float[] bias, Epilogue epilogue) {
        Objects.requireNonNull(g, "geometry");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(weights, "weights");
        ConvTransposeSpec spec = g.spec();
        if (input.length != g.inputCount()) {
            throw new IllegalArgumentException("input has " + input.length + " floats, geometry input shape "
                    + Arrays.toString(g.inputShape()) + " holds " + g.inputCount());
        }
        if (weights.length != spec.weightCount()) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, weight shape "
                    + Arrays.toString(spec.weightShape()) + " ([Cin, Cout/groups, kH, kW]) holds " + spec.weightCount());
        }
        if (bias != null && !spec.hasBias()) {
            throw new IllegalArgumentException("bias given, but the spec has bias=false: " + spec);
        }
        if (bias != null && bias.length != spec.outChannels()) {
            throw new IllegalArgumentException("bias has " + bias.length + " floats, expected Cout "
                    + spec.outChannels());
        }
        if (g.outputCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output of " + g.outputCount() + " elements is too large for the"
                    + " references, which work on Java arrays");
        }
        return new Operands(g, input, weights, bias, epilogue == null ? Epilogue.NONE : epilogue);
    }

    static Operands of(ConvTransposeGeometry g, Tensor input, Tensor weights, Tensor bias, Epilogue epilogue) {
        Objects.requireNonNull(g, "geometry");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(weights, "weights");
        if (!Arrays.equals(input.shape(), g.inputShape())) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(input.shape()) + " != geometry input shape "
                    + Arrays.toString(g.inputShape()));
        }
        long[] w = g.spec().weightShape();
        boolean weightsFit = Arrays.equals(weights.shape(), w)
                || g.spec().isOneDimensional() && Arrays.equals(weights.shape(), new long[] {w[0], w[1], 1, w[2]});
        if (!weightsFit) {
            throw new IllegalArgumentException("weights shape " + Arrays.toString(weights.shape()) + " != expected "
                    + Arrays.toString(w) + " ([Cin, Cout/groups, kH, kW])");
        }
        if (bias != null && !Arrays.equals(bias.shape(), new long[] {g.spec().outChannels()})) {
            throw new IllegalArgumentException("bias shape " + Arrays.toString(bias.shape()) + " != expected ["
                    + g.spec().outChannels() + "]");
        }
        return of(g, input.toArray(), weights.toArray(), bias == null ? null : bias.toArray(), epilogue);
    }

    int inPerGroup() {
        return geometry.spec().inChannels() / geometry.spec().groups();
    }

    int outPerGroup() {
        return geometry.spec().outChannels() / geometry.spec().groups();
    }

    /** Index of weight {@code (ci, co - group*outPerGroup, ky, kx)}; {@code co} must be in ci's group. */
    int weightIndex(int ci, int co, int ky, int kx) {
        ConvTransposeSpec spec = geometry.spec();
        return ((ci * outPerGroup() + co % outPerGroup()) * spec.kernelH() + ky) * spec.kernelW() + kx;
    }

    int inputIndex(int n, int ci, int y, int x) {
        ConvTransposeGeometry.Axis h = geometry.height();
        ConvTransposeGeometry.Axis w = geometry.width();
        return ((n * geometry.spec().inChannels() + ci) * h.in() + y) * w.in() + x;
    }

    int outputIndex(int n, int co, int y, int x) {
        ConvTransposeGeometry.Axis h = geometry.height();
        ConvTransposeGeometry.Axis w = geometry.width();
        return ((n * geometry.spec().outChannels() + co) * h.out() + y) * w.out() + x;
    }

    /** Adds the bias in double, rounds once, applies the epilogue. */
    float[] finish(double[] sums) {
        int planeSize = geometry.height().out() * geometry.width().out();
        int cout = geometry.spec().outChannels();
        float[] out = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            double b = bias == null ? 0 : bias[i / planeSize % cout];
            out[i] = epilogue.apply((float) (sums[i] + b));
        }
        return out;
    }
}
