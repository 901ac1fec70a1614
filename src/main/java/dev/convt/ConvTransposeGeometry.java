package dev.convt;

import java.util.Arrays;

/**
 * A {@link ConvTransposeSpec} resolved for one input shape: batch, channels, and per spatial axis
 * the input and output sizes and where the output sits inside the full (uncropped) result.
 *
 * <p>Along an axis, input element {@code i} and kernel tap {@code k} meet at full-result
 * coordinate {@code f = i*stride + k*dilation}; output element {@code o} is full coordinate
 * {@code o + padBegin}. Full coordinates outside {@code [0, (in-1)*stride + dilation*(kernel-1)]}
 * receive no tap (only the bias); {@code padBegin} is negative when an ONNX {@code output_shape}
 * asks for more than the natural size.
 *
 * @param spec the spec
 * @param batch N
 * @param height the height axis
 * @param width the width axis
 * @param inputRank 4 for {@code (N, C, H, W)}, 3 for a 1-D {@code (N, C, W)}
 */
public record ConvTransposeGeometry(ConvTransposeSpec spec, int batch, Axis height, Axis width, int inputRank) {

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

    /** {@return input shape, rank 4 or (1-D) rank 3} */
    public long[] inputShape() {
        return shape(spec.inChannels(), height.in, width.in);
    }

    /** {@return output shape, of the same rank as the input} */
    public long[] outputShape() {
        return shape(spec.outChannels(), height.out, width.out);
    }

    private long[] shape(int channels, int h, int w) {
        return inputRank == 3 ? new long[] {batch, channels, w} : new long[] {batch, channels, h, w};
    }

    /** {@return number of input elements (exact: {@link ConvTransposeSpec#geometry} rejects larger shapes)} */
    public long inputCount() {
        return count(spec.inChannels(), height.in, width.in);
    }

    /** {@return number of output elements (exact: {@link ConvTransposeSpec#geometry} rejects larger shapes)} */
    public long outputCount() {
        return count(spec.outChannels(), height.out, width.out);
    }

    private long count(long channels, long h, long w) {
        return Math.multiplyExact(Math.multiplyExact(batch, channels), Math.multiplyExact(h, w));
    }

    /**
     * The conventional FLOP count, as ONNX Runtime and PyTorch profilers report it: one multiply
     * and one add for every input element and every kernel tap, whether or not the tap lands in
     * the cropped output.
     *
     * @return {@code 2 * N * Cin * (Cout/groups) * H * W * kH * kW}
     */
    public double flops() {
        return 2.0 * batch * spec.inChannels() * ((double) spec.outChannels() / spec.groups())
                * height.in * width.in * height.kernel * width.kernel;
    }

    static String format(long[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    @Override
    public String toString() {
        return "ConvTransposeGeometry[" + format(inputShape()) + " -> " + format(outputShape()) + ", padBegin "
                + height.padBegin + "," + width.padBegin + ", " + spec + "]";
    }
}
