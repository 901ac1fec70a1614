package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convt.ConvTransposeSpec;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 3-D layers on the tiled plans, which compute each output depth slice as a 2-D layer whose input
 * channels are (depth tap, input channel): depth phases with several taps, with none (their slices
 * are bias only), taps cropped by padding or reaching past the input, dilation, groups and batches,
 * on both tiled plans, against the scalar definition and across thread counts. This class runs at
 * 128, 256 and 512-bit vectors (the build's reruns of the kernel tests); the maps are chosen so
 * that each case takes the same plan at every width.
 */
class DepthSlicesTest {

    @ParameterizedTest(name = "{0}->{1} g{2} k{3},{4} s{5},{6} p{7},{8} op{9} d{10} on {11}x{12}x{13}x{14}: {15}")
    @CsvSource({
        // A 3D U-Net up-convolution in small: one tap per phase in every axis.
        "16, 32, 1, 2, 2, 2, 2, 0, 0, 0, 1, 1, 3, 16, 16, PIXEL_TILED",
        // A volumetric GAN layer in small: 2 depth taps per phase, maps narrower than any vector.
        "24, 40, 1, 4, 4, 2, 2, 1, 1, 0, 1, 1, 2, 2, 2, CHANNEL_TILED",
        // Depth stride 3 with a depth kernel of 1: two of every three output slices are bias only.
        "8, 8, 1, 1, 3, 3, 1, 0, 1, 0, 1, 1, 3, 16, 16, PIXEL_TILED",
        // Depth kernel 5 over 2 input slices, padding 2: most depth taps read outside the input.
        "6, 4, 1, 5, 3, 1, 1, 2, 1, 0, 1, 2, 2, 9, 20, PIXEL_TILED",
        // Dilation 2 in every axis, output padding, groups of 4 input and 6 output channels.
        "8, 12, 2, 3, 3, 2, 2, 2, 1, 1, 2, 1, 4, 8, 17, PIXEL_TILED",
        // Channel-tiled with groups, depth stride 2, and a batch of 2.
        "64, 64, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2, 3, 1, 2, CHANNEL_TILED",
        // 9.4 MB of weights, more than a shared cache: tasks take the depth slices phase by phase.
        "288, 128, 1, 4, 4, 2, 2, 1, 1, 0, 1, 1, 3, 2, 2, CHANNEL_TILED",
    })
    void matchesTheDefinitionOnEveryThreadCount(int cin, int cout, int groups, int kd, int k, int sd, int s, int pd,
            int p, int outPad, int dilation, int n, int d, int h, int w, ExecutionPlan.Kind kind) {
        ConvTransposeSpec spec = ConvTransposeSpec.builder3d(cin, cout, kd, k, k).groups(groups).stride(sd, s, s)
                .padding(pd, p, p).outputPadding(outPad, outPad, outPad).dilation(dilation, dilation, dilation).build();
        RandomCase c = randomCase(spec, new long[] {n, cin, d, h, w});
        ExecutionPlan plan = PlanChecks.planOf(c);
        assertEquals(kind, plan.kind());
        assertEquals(spec.weightCount() * Float.BYTES > 8L << 20, plan.phaseMajorDepth(), "phase-major depth slices");
        PlanChecks.matchesTheDefinitionOnEveryThreadCount(c);
    }

    private static RandomCase randomCase(ConvTransposeSpec spec, long[] shape) {
        SplittableRandom r = new SplittableRandom(spec.toString().hashCode());
        int inputs = (int) (shape[0] * shape[1] * shape[2] * shape[3] * shape[4]);
        return new RandomCase(spec, shape, RandomFloats.uniform(r, inputs),
                RandomFloats.uniform(r, (int) spec.weightCount()), RandomFloats.uniform(r, spec.outChannels()));
    }
}
