package dev.convt.reliability;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;

/**
 * Run in a JVM with a small {@code -XX:MaxDirectMemorySize} by {@link MemoryBoundsRegressionTest}:
 * one forward call on a tall map one column wide with 64 input channels (the channel-vectorized
 * plan), 4 MB in and 8 MB out. Prints the tensors' size; fails with an OutOfMemoryError if the
 * call reserves more native memory than the JVM allows.
 */
final class TallNarrowMapProbe {

    private TallNarrowMapProbe() {}

    public static void main(String[] args) {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(64, 32, 4, 4).build();
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(new float[(int) spec.weightCount()])
                        .bias(new float[32]).build()) {
            long[] shape = {1, 64, 16384, 1};
            Tensor x = Tensor.allocate(arena, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            layer.forward(x, y);
            System.out.println(x.segment().byteSize() + y.segment().byteSize());
        }
    }
}
