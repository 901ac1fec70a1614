package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.ToIntFunction;

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
                    + Arrays.toString(spec.weightShape()) + " ([Cin, Cout/groups, kernel...]) holds " + spec.weightCount());
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
                    + Arrays.toString(w) + " ([Cin, Cout/groups, kernel...])");
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

    /** Index of weight {@code (ci, co - group*outPerGroup, tap)}; {@code co} must be in ci's group; taps in C order. */
    int weightIndex(int ci, int co, int tap) {
        return (int) ((ci * outPerGroup() + co % outPerGroup()) * geometry.spec().kernelTaps() + tap);
    }

    /** Index of input element {@code position} (C order over the spatial axes) of channel {@code ci} of sample {@code n}. */
    int inputIndex(int n, int ci, int position) {
        return (int) ((n * (long) geometry.spec().inChannels() + ci) * geometry.inputPlane() + position);
    }

    /** Index of output element {@code position} (C order over the spatial axes) of channel {@code co} of sample {@code n}. */
    int outputIndex(int n, int co, int position) {
        return (int) ((n * (long) geometry.spec().outChannels() + co) * geometry.outputPlane() + position);
    }

    /** The kernel sizes, in tensor order. */
    int[] kernelShape() {
        return sizes(ConvTransposeGeometry.Axis::kernel);
    }

    /** The axes' values of one parameter, in tensor order. */
    int[] sizes(ToIntFunction<ConvTransposeGeometry.Axis> field) {
        int[] v = new int[geometry.axes().size()];
        for (int a = 0; a < v.length; a++) {
            v[a] = field.applyAsInt(geometry.axes().get(a));
        }
        return v;
    }

    /** {@return the C-order coordinates of element {@code flat} of an array of {@code shape}} */
    static int[] coordinates(long flat, int[] shape) {
        int[] c = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            c[a] = (int) (flat % shape[a]);
            flat /= shape[a];
        }
        return c;
    }

    /** {@return the number of elements of an array of {@code shape}} */
    static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** Adds the bias in double, rounds once, applies the epilogue. */
    float[] finish(double[] sums) {
        long planeSize = geometry.outputPlane();
        int cout = geometry.spec().outChannels();
        float[] out = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            double b = bias == null ? 0 : bias[(int) (i / planeSize % cout)];
            out[i] = epilogue.apply((float) (sums[i] + b));
        }
        return out;
    }
}
