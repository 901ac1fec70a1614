package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.SplittableRandom;

/**
 * A layer's input, weights (PyTorch layout {@code [Cin, Cout/groups, kH, kW]}, {@code [Cin, Cout/groups,
 * kD, kH, kW]} for 3-D) and bias, drawn
 * from a fixed seed so every implementation and every run sees the same numbers.
 *
 * @param layer the layer
 * @param input the input in C order
 * @param weights the weights in C order
 * @param bias one value per output channel
 */
public record LayerData(SuiteLayer layer, float[] input, float[] weights, float[] bias) {

    private static final long SEED = 20240607L;

    /**
     * Inputs are uniform in [-1, 1); weights uniform in +-1/sqrt(fan-in), PyTorch's default
     * initialisation, so outputs stay near unit scale whatever the layer's size.
     */
    public static LayerData of(SuiteLayer layer) {
        SplittableRandom random = new SplittableRandom(SEED ^ layer.id().hashCode());
        ConvTransposeGeometry g = layer.geometry();
        ConvTransposeSpec spec = layer.spec();
        float bound = (float) (1 / Math.sqrt((double) spec.weightCount() / spec.inChannels()));
        return new LayerData(layer,
                uniform(random, Math.toIntExact(g.inputCount()), -1, 1),
                uniform(random, Math.toIntExact(spec.weightCount()), -bound, bound),
                uniform(random, spec.outChannels(), -bound, bound));
    }

    /** @return {@code count} floats uniform in {@code [low, high)} */
    static float[] uniform(SplittableRandom random, int count, double low, double high) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(low, high);
        }
        return values;
    }
}
