package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LayerHandWorkedExampleTest {

    @Test
    void twoByTwoInputThreeByThreeOnesKernelStrideOne() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 3, 3).bias(false).build();
        float[] ones = new float[9];
        Arrays.fill(ones, 1f);
        // Each output sums the inputs whose 3x3 window covers it (worked by hand).
        float[] expected = {
            1, 3, 3, 2,
            4, 10, 10, 6,
            4, 10, 10, 6,
            3, 7, 7, 4};
        try (Arena arena = Arena.ofConfined();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(ones).build()) {
            Tensor x = Tensor.of(arena, new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
            Tensor y = Tensor.allocate(arena, layer.outputShape(x.shape()));
            layer.forward(x, y);
            assertArrayEquals(expected, y.toArray());
        }
    }
}
