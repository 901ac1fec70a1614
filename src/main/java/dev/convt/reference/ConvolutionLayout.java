package dev.convt.reference;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;

/**
 * Shapes of one ordinary convolution over 1, 2 or 3 spatial axes, each array one value per axis;
 * "in" is the convolution's input. Input {@code o*stride - padBegin + k*dilation} meets output
 * {@code o} through tap {@code k}; weights are {@code [cout, cin/groups, kernel...]} in C order.
 */
record ConvolutionLayout(int cin, int[] in, int cout, int[] out, int[] kernel, int[] stride, int[] padBegin,
        int[] dilation, int groups) {

    /**
     * The convolution whose adjoint is {@code geometry}: from the transposed convolution's output
     * shape to its input shape, with the transposed convolution's own weights.
     */
    static ConvolutionLayout adjointOf(ConvTransposeGeometry geometry) {
        ConvTransposeSpec spec = geometry.spec();
        var axes = geometry.axes();
        return new ConvolutionLayout(spec.outChannels(), Operands.perAxis(axes, ConvTransposeGeometry.Axis::out),
                spec.inChannels(), Operands.perAxis(axes, ConvTransposeGeometry.Axis::in),
                Operands.perAxis(axes, ConvTransposeGeometry.Axis::kernel),
                Operands.perAxis(axes, ConvTransposeGeometry.Axis::stride),
                Operands.perAxis(axes, ConvTransposeGeometry.Axis::padBegin),
                Operands.perAxis(axes, ConvTransposeGeometry.Axis::dilation), spec.groups());
    }

    /** {@return the input position (C order) output {@code o} reads through tap {@code k}, or -1 outside the input} */
    int inputPosition(int[] o, int[] k) {
        int position = 0;
        for (int a = 0; a < in.length; a++) {
            long i = (long) o[a] * stride[a] - padBegin[a] + (long) k[a] * dilation[a];
            if (i < 0 || i >= in[a]) {
                return -1;
            }
            position = position * in[a] + (int) i;
        }
        return position;
    }

    /**
     * The convolution of {@code batch} samples, summed in double (bias first, then input channel
     * by input channel, taps in C order) and rounded once.
     *
     * @param input {@code batch * cin} input planes in C order
     * @param weights {@code [cout, cin/groups, kernel...]} in C order
     * @param bias {@code cout} floats, or null for none
     * @return {@code batch * cout} output planes in C order
     */
    float[] convolve(float[] input, int batch, float[] weights, float[] bias) {
        int inPlane = Operands.count(in);
        int outPlane = Operands.count(out);
        int taps = Operands.count(kernel);
        int cinPerGroup = cin / groups;
        int coutPerGroup = cout / groups;
        int[] positions = new int[taps];
        float[] result = new float[batch * cout * outPlane];
        for (int o = 0; o < outPlane; o++) {
            int[] oc = Operands.coordinates(o, out);
            for (int t = 0; t < taps; t++) {
                positions[t] = inputPosition(oc, Operands.coordinates(t, kernel));
            }
            for (int n = 0; n < batch; n++) {
                for (int co = 0; co < cout; co++) {
                    int firstIn = co / coutPerGroup * cinPerGroup;
                    double sum = bias == null ? 0 : bias[co];
                    for (int c = 0; c < cinPerGroup; c++) {
                        int plane = (n * cin + firstIn + c) * inPlane;
                        int tap = (co * cinPerGroup + c) * taps;
                        for (int t = 0; t < taps; t++) {
                            if (positions[t] >= 0) {
                                sum += (double) input[plane + positions[t]] * weights[tap + t];
                            }
                        }
                    }
                    result[(n * cout + co) * outPlane + o] = (float) sum;
                }
            }
        }
        return result;
    }
}
