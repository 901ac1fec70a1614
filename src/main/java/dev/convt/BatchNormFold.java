package dev.convt;

import dev.convt.kernel.PackedWeights;

/**
 * The arguments of {@link ConvTransposeLayer.Builder#foldBatchNorm}, checked and reduced to the
 * per-channel affine map the packed weights fold in.
 */
final class BatchNormFold {

    private BatchNormFold() {}

    /**
     * Validates an inference BatchNorm and reduces it to {@code y = x * scale + shift}, with
     * {@code scale = gamma / sqrt(var + eps)} and {@code shift = beta - mean * scale}.
     *
     * @throws IllegalArgumentException naming the parameter if an array is missing or of the wrong
     *     length, a variance is negative or NaN, eps is negative or not finite, or a variance plus
     *     eps is 0
     */
    static PackedWeights.BatchNorm of(int channels, float[] gamma, float[] beta, float[] mean, float[] variance,
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
        return new PackedWeights.BatchNorm(scale, shift);
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
