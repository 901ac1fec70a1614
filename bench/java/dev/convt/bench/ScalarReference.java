package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.Arrays;

/**
 * The textbook scatter form of a transposed convolution, one multiply-add at a time in double:
 * every input element times every kernel tap is added to the output element it lands on.
 *
 * <p>A stand-in until the project's reference ({@code dev.convt.reference.DirectReference}) lands;
 * replace it then. It shares nothing with the kernels but the geometry's resolved sizes.
 */
public final class ScalarReference {

    private final ConvTransposeGeometry geometry;

    /** @param geometry the layer resolved for its input */
    public ScalarReference(ConvTransposeGeometry geometry) {
        this.geometry = geometry;
    }

    /**
     * Computes the layer into {@code out}, overwriting it.
     *
     * @param input the input in C order
     * @param weights PyTorch layout {@code [Cin, Cout/groups, kH, kW]}
     * @param bias one value per output channel
     * @param out {@code geometry.outputCount()} elements
     */
    public void forward(float[] input, float[] weights, float[] bias, double[] out) {
        ConvTransposeSpec spec = geometry.spec();
        ConvTransposeGeometry.Axis rows = geometry.height();
        ConvTransposeGeometry.Axis cols = geometry.width();
        int cin = spec.inChannels();
        int cout = spec.outChannels();
        int perGroupIn = cin / spec.groups();
        int perGroupOut = cout / spec.groups();
        int outPlane = rows.out() * cols.out();
        for (int n = 0; n < geometry.batch(); n++) {
            for (int co = 0; co < cout; co++) {
                Arrays.fill(out, (n * cout + co) * outPlane, (n * cout + co + 1) * outPlane, bias[co]);
            }
            for (int ci = 0; ci < cin; ci++) {
                int firstOut = ci / perGroupIn * perGroupOut;
                for (int iy = 0; iy < rows.in(); iy++) {
                    for (int ix = 0; ix < cols.in(); ix++) {
                        double x = input[((n * cin + ci) * rows.in() + iy) * cols.in() + ix];
                        for (int j = 0; j < perGroupOut; j++) {
                            int outBase = (n * cout + firstOut + j) * outPlane;
                            int tapBase = (ci * perGroupOut + j) * rows.kernel() * cols.kernel();
                            for (int ky = 0; ky < rows.kernel(); ky++) {
                                int oy = iy * rows.stride() + ky * rows.dilation() - rows.padBegin();
                                if (oy < 0 || oy >= rows.out()) {
                                    continue;
                                }
                                for (int kx = 0; kx < cols.kernel(); kx++) {
                                    int ox = ix * cols.stride() + kx * cols.dilation() - cols.padBegin();
                                    if (ox >= 0 && ox < cols.out()) {
                                        out[outBase + oy * cols.out() + ox] += x * weights[tapBase + ky * cols.kernel() + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
