package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The benchmark's stand-in reference on cases worked out by hand. */
class ScalarReferenceTest {

    @Test
    void seedExampleWithBias() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 3, 3).build();
        float[] ones = new float[9];
        Arrays.fill(ones, 1f);
        double[] out = new double[16];
        new ScalarReference(spec.geometry(1, 1, 2, 2)).forward(new float[] {1, 2, 3, 4}, ones, new float[] {0.5f}, out);
        // Each output sums the inputs whose 3x3 window covers it, plus the bias.
        assertArrayEquals(new double[] {
            1.5, 3.5, 3.5, 2.5,
            4.5, 10.5, 10.5, 6.5,
            4.5, 10.5, 10.5, 6.5,
            3.5, 7.5, 7.5, 4.5}, out);
    }

    @Test
    void oneDimensionalStrideTwoPaddingOneTwoGroups() {
        // Two groups of one channel; kernel (1, 10) and (100, 1000) at stride 2, the first and
        // last full-output column cropped by padding 1: x = (1, 2) gives 1,10,2,20 -> 10,2.
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(2, 2, 2).stride(2).padding(1).groups(2).build();
        double[] out = new double[4];
        new ScalarReference(spec.geometry(1, 2, 2))
                .forward(new float[] {1, 2, 3, 4}, new float[] {1, 10, 100, 1000}, new float[] {0, 0.5f}, out);
        assertArrayEquals(new double[] {10, 2, 3000.5, 400.5}, out);
    }
}
