package dev.convt.testing;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;

/** Runs {@link ConvTransposeLayer} (the fast path) on plain arrays. */
public final class Layers {

    private Layers() {}

    /**
     * Builds a layer, runs it once on the calling thread and returns the output.
     *
     * @param spec the spec
     * @param inputShape the input shape
     * @param input the input in C order
     * @param weights {@code [Cin, Cout/groups, kH, kW]} in C order
     * @param bias {@code Cout} floats, or null when the spec has none
     * @return the output in C order
     */
    public static float[] forward(ConvTransposeSpec spec, long[] inputShape, float[] input, float[] weights,
            float[] bias) {
        ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(spec).weights(weights);
        if (bias != null) {
            b.bias(bias);
        }
        try (Arena arena = Arena.ofConfined(); ConvTransposeLayer layer = b.build()) {
            Tensor x = Tensor.of(arena, input, inputShape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(inputShape));
            layer.forward(x, y);
            return y.toArray();
        }
    }

    /**
     * Runs a random case through the layer.
     *
     * @param c the case
     * @return the output in C order
     */
    public static float[] forward(RandomCase c) {
        return forward(c.spec(), c.inputShape(), c.input(), c.weights(), c.bias());
    }
}
