package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.internal.Shapes;
import java.util.Arrays;
import java.util.List;
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
                    + Shapes.format(g.inputShape()) + " holds " + g.inputCount());
        }
        if (weights.length != spec.weightCount()) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, weight shape "
                    + Shapes.format(spec.weightShape()) + " ([Cin, Cout/groups, kernel...]) holds " + spec.weightCount());
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
            throw new IllegalArgumentException("input shape " + Shapes.format(input.shape()) + " != geometry input shape "
                    + Shapes.format(g.inputShape()));
        }
        if (!Shapes.fitsWeights(g.spec(), weights.shape())) {
            throw new IllegalArgumentException("weights shape " + Shapes.format(weights.shape()) + " != expected "
                    + Shapes.format(g.spec().weightShape()) + " ([Cin, Cout/groups, kernel...])");
        }
        if (bias != null && !Arrays.equals(bias.shape(), new long[] {g.spec().outChannels()})) {
            throw new IllegalArgumentException("bias shape " + Shapes.format(bias.shape()) + " != expected ("
                    + g.spec().outChannels() + ")");
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
        return perAxis(geometry.axes(), field);
    }

    /** {@return one parameter's value on each of {@code axes}, in their order} */
    static int[] perAxis(List<ConvTransposeGeometry.Axis> axes, ToIntFunction<ConvTransposeGeometry.Axis> field) {
        int[] v = new int[axes.size()];
        for (int a = 0; a < v.length; a++) {
            v[a] = field.applyAsInt(axes.get(a));
        }
        return v;
    }

    /** Checks an array the caller gives has the length its shape holds. */
    static void requireLength(String name, float[] a, int length) {
        Objects.requireNonNull(a, name);
        if (a.length != length) {
            throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + length);
        }
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

    /** {@return the number of elements of an array of {@code shape}, which a Java array must hold} */
    static int count(int[] shape) {
        return Math.toIntExact(Shapes.elementCount(Arrays.stream(shape).asLongStream().toArray()));
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
