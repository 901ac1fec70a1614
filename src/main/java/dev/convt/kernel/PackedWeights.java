package dev.convt.kernel;

import dev.convt.ConvTransposeSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layer's own copy of its weights and bias, in the layout the kernels read, made once when
 * the layer is built.
 */
public final class PackedWeights {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * An inference BatchNorm reduced to a per-channel affine map {@code y = x * scale + shift}.
     *
     * @param scale {@code gamma / sqrt(var + eps)}
     * @param shift {@code beta - mean * scale}
     */
    public record BatchNorm(double[] scale, double[] shift) {

        /** Validates the BatchNorm parameters and reduces them to scale and shift. */
        public static BatchNorm of(int channels, float[] gamma, float[] beta, float[] mean, float[] variance,
                float eps) {
            check("gamma", gamma, channels);
            check("beta", beta, channels);
            check("mean", mean, channels);
            check("variance", variance, channels);
            if (!(eps >= 0f) || Float.isInfinite(eps)) {
                throw new IllegalArgumentException("batchNorm eps " + eps + " must be finite and >= 0");
            }
            double[] scale = new double[channels];
            double[] shift = new double[channels];
            for (int c = 0; c < channels; c++) {
                if (!(variance[c] >= 0f)) {
                    throw new IllegalArgumentException("batchNorm variance[" + c + "] " + variance[c] + " must be >= 0");
                }
                double denom = Math.sqrt((double) variance[c] + eps);
                if (denom == 0) {
                    throw new IllegalArgumentException("batchNorm variance[" + c + "] + eps is 0");
                }
                scale[c] = gamma[c] / denom;
                shift[c] = beta[c] - mean[c] * scale[c];
            }
            return new BatchNorm(scale, shift);
        }

        private static void check(String name, float[] a, int channels) {
            if (a == null) {
                throw new IllegalArgumentException("batchNorm " + name + " is null");
            }
            if (a.length != channels) {
                throw new IllegalArgumentException("batchNorm " + name + " has " + a.length + " elements, expected Cout "
                        + channels);
            }
        }
    }

    private final ConvTransposeSpec spec;
    private final MemorySegment weights;
    private final MemorySegment bias;

    private PackedWeights(ConvTransposeSpec spec, MemorySegment weights, MemorySegment bias) {
        this.spec = spec;
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * Copies (and, with a BatchNorm, folds) the weights and bias into {@code arena}.
     *
     * @param w PyTorch-layout weights {@code [Cin, Cout/groups, kH, kW]}
     * @param b bias of {@code Cout} floats, or null for none
     * @param bn a BatchNorm to fold, or null
     */
    public static PackedWeights pack(ConvTransposeSpec spec, MemorySegment w, MemorySegment b, BatchNorm bn,
            Arena arena) {
        int cout = spec.outChannels();
        int perGroup = cout / spec.groups();
        long taps = (long) spec.kernelH() * spec.kernelW();
        long count = spec.weightCount();
        MemorySegment packed = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            float v = w.getAtIndex(FLOAT, i);
            if (bn != null) {
                int ci = (int) (i / (perGroup * taps));
                int co = (ci / (spec.inChannels() / spec.groups())) * perGroup + (int) (i / taps % perGroup);
                v = (float) (v * bn.scale()[co]);
            }
            packed.setAtIndex(FLOAT, i, v);
        }
        MemorySegment bias = arena.allocate((long) cout * Float.BYTES, 64);
        for (int co = 0; co < cout; co++) {
            double v = b == null ? 0 : b.getAtIndex(FLOAT, co);
            if (bn != null) {
                v = v * bn.scale()[co] + bn.shift()[co];
            }
            bias.setAtIndex(FLOAT, co, (float) v);
        }
        return new PackedWeights(spec, packed, bias);
    }

    ConvTransposeSpec spec() {
        return spec;
    }

    MemorySegment weights() {
        return weights;
    }

    MemorySegment bias() {
        return bias;
    }
}
