package dev.convt;

import dev.convt.internal.Shapes;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ConvTransposeSpec} resolved for one input shape: batch, channels, and per spatial axis
 * the input and output sizes and where the output sits inside the full (uncropped) result.
 *
 * <p>The spatial axes are a list in tensor order, one per spatial dimension of the input:
 * {@code (W)} for a rank-3 input, {@code (H, W)} for rank 4, {@code (D, H, W)} for rank 5. The
 * tensors are C-order {@code (N, C, axes...)}. {@link #depth()}, {@link #height()} and
 * {@link #width()} name the last three axes, an axis of size 1 (one element, one tap, stride 1)
 * standing in for one the input does not have, so 2-D code reads a 1-D geometry unchanged and
 * 3-D code reads every geometry as {@code (D, H, W)}.
 *
 * <p>Along an axis, input element {@code i} and kernel tap {@code k} meet at full-result
 * coordinate {@code f = i*stride + k*dilation}; output element {@code o} is full coordinate
 * {@code o + padBegin}. Full coordinates outside {@code [0, (in-1)*stride + dilation*(kernel-1)]}
 * receive no tap (only the bias); {@code padBegin} is negative when an ONNX {@code output_shape}
 * asks for more than the natural size.
 *
 * @param spec the spec
 * @param batch N
 * @param axes the spatial axes in tensor order: 1, 2 or 3 of them
 */
public record ConvTransposeGeometry(ConvTransposeSpec spec, int batch, List<Axis> axes) {

    /** An axis the input does not have: one element, one tap. */
    private static final Axis ABSENT = new Axis(1, 1, 1, 1, 1, 0);

    /**
     * Checks the axis count and keeps an unmodifiable copy of the axes.
     *
     * @param spec the spec
     * @param batch N
     * @param axes the spatial axes in tensor order: 1, 2 or 3 of them
     */
    public ConvTransposeGeometry {
        Objects.requireNonNull(spec, "spec");
        axes = List.copyOf(axes);
        if (axes.isEmpty() || axes.size() > 3) {
            throw new IllegalArgumentException("a geometry has 1, 2 or 3 spatial axes, got " + axes.size());
        }
    }

    /**
     * One spatial axis.
     *
     * @param in input size
     * @param out output size
     * @param kernel kernel size
     * @param stride stride
     * @param dilation dilation
     * @param padBegin full-result coordinate of output element 0 (the crop at the start)
     */
    public record Axis(int in, int out, int kernel, int stride, int dilation, int padBegin) {

        /** {@return {@code dilation*(kernel-1)+1}, the span one kernel covers (may exceed an int)} */
        public long extent() {
            return (long) dilation * (kernel - 1) + 1;
        }

        /** {@return padding at the end: {@code (in-1)*stride + extent - out - padBegin} (may be negative)} */
        public long padEnd() {
            return (long) (in - 1) * stride + extent() - out - padBegin;
        }
    }

    /** {@return the input rank: 2 plus the number of spatial axes} */
    public int inputRank() {
        return 2 + axes.size();
    }

    /** {@return the depth axis: the third-to-last spatial axis, or a size-1 axis below rank 5} */
    public Axis depth() {
        return fromEnd(3);
    }

    /** {@return the height axis: the second-to-last spatial axis, or a size-1 axis for a rank-3 input} */
    public Axis height() {
        return fromEnd(2);
    }

    /** {@return the width axis: the last spatial axis} */
    public Axis width() {
        return fromEnd(1);
    }

    private Axis fromEnd(int k) {
        return axes.size() >= k ? axes.get(axes.size() - k) : ABSENT;
    }

    /** {@return input shape {@code (N, Cin, in of each axis)}} */
    public long[] inputShape() {
        long[] shape = shape(spec.inChannels());
        for (int a = 0; a < axes.size(); a++) {
            shape[2 + a] = axes.get(a).in;
        }
        return shape;
    }

    /** {@return output shape {@code (N, Cout, out of each axis)}, of the same rank as the input} */
    public long[] outputShape() {
        long[] shape = shape(spec.outChannels());
        for (int a = 0; a < axes.size(); a++) {
            shape[2 + a] = axes.get(a).out;
        }
        return shape;
    }

    private long[] shape(int channels) {
        long[] shape = new long[inputRank()];
        shape[0] = batch;
        shape[1] = channels;
        return shape;
    }

    /** {@return number of input elements (exact: {@link ConvTransposeSpec#geometry} rejects larger shapes)} */
    public long inputCount() {
        return Shapes.elementCount(inputShape());
    }

    /** {@return number of output elements (exact: {@link ConvTransposeSpec#geometry} rejects larger shapes)} */
    public long outputCount() {
        return Shapes.elementCount(outputShape());
    }

    /** {@return input elements of one channel of one sample: the product of the axes' input sizes} */
    public long inputPlane() {
        return plane(false);
    }

    /** {@return output elements of one channel of one sample: the product of the axes' output sizes} */
    public long outputPlane() {
        return plane(true);
    }

    /** Without allocating: plans compute channel offsets from it on every call. */
    private long plane(boolean output) {
        long n = 1;
        for (int a = 0; a < axes.size(); a++) {
            n *= output ? axes.get(a).out : axes.get(a).in;
        }
        return n;
    }

    /**
     * The conventional FLOP count, as ONNX Runtime and PyTorch profilers report it: one multiply
     * and one add for every input element and every kernel tap, whether or not the tap lands in
     * the cropped output.
     *
     * @return {@code 2 * N * Cin * (Cout/groups)} times every axis's {@code in * kernel}
     */
    public double flops() {
        double f = 2.0 * batch * spec.inChannels() * ((double) spec.outChannels() / spec.groups());
        for (Axis a : axes) {
            f *= (double) a.in * a.kernel;
        }
        return f;
    }

    @Override
    public String toString() {
        StringBuilder begins = new StringBuilder();
        for (Axis a : axes) {
            begins.append(begins.isEmpty() ? "" : ",").append(a.padBegin);
        }
        return "ConvTransposeGeometry[" + Shapes.format(inputShape()) + " -> " + Shapes.format(outputShape()) + ", padBegin "
                + begins + ", " + spec + "]";
    }
}
