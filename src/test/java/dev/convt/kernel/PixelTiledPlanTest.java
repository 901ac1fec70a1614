package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convt.ConvTransposeSpec;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layers with one to three output channels, the pixel-tiled plan's narrow tile, row blocks grown
 * past the minimum, windows copied row by row (image rows of 128 columns or more) and input
 * channels summed in runs (square tiles reading 4 or more taps), against the
 * scalar definition and across thread counts. The random draws of {@link KernelPropertiesTest}
 * reach these paths too, but rarely all at once on maps this size.
 */
class PixelTiledPlanTest {

    /** The tiles named here are the cost model's choice at every vector width (128 to 512 bits) and register set. */
    @ParameterizedTest(name = "{0}->{1} k{2} s{3} p{4} op{5} on {6}x{7}x{8}: {9} tile")
    @CsvSource({
        // FSRCNN's last layer: 9 phase rows, one shared family: narrow tile; 130 columns: row copies.
        "6, 1, 9, 3, 4, 2, 2, 21, 130, NARROW",
        // 3 output channels at stride 1: one tile row per channel.
        "8, 3, 3, 1, 1, 0, 2, 32, 32, NARROW",
        // 2 channels x 9 phases = 18 rows: six narrow tiles, where square tiles would pad to 20.
        "5, 2, 3, 3, 0, 0, 1, 17, 140, NARROW",
        // Many channels: the square tile, rows of 128 input columns copied row by row.
        "4, 8, 3, 2, 1, 1, 1, 9, 128, SQUARE",
        // 4 taps per tile: input channels summed in runs of 64 (80 = 64 + 16).
        "80, 8, 4, 2, 1, 0, 2, 16, 16, SQUARE",
        // 25 taps: runs of 11 channels (24 = 11 + 11 + 2).
        "24, 4, 5, 1, 2, 0, 1, 7, 19, SQUARE",
    })
    void matchesTheDefinitionOnEveryThreadCount(int cin, int cout, int k, int stride, int pad, int outPad, int n,
            int h, int w, String tile) {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(cin, cout, k, k).stride(stride, stride).padding(pad, pad)
                .outputPadding(outPad, outPad).build();
        long[] shape = {n, cin, h, w};
        SplittableRandom r = new SplittableRandom(cin * 1000L + cout * 100L + k);
        RandomCase c = new RandomCase(spec, shape, RandomFloats.uniform(r, n * cin * h * w),
                RandomFloats.uniform(r, (int) spec.weightCount()), RandomFloats.uniform(r, cout));
        ExecutionPlan plan = PlanChecks.planOf(c);
        assertEquals(ExecutionPlan.Kind.PIXEL_TILED, plan.kind());
        assertEquals(tile.equals("NARROW") ? ExecutionPlan.Tile.NARROW : ExecutionPlan.Tile.SQUARE, plan.tile());
        PlanChecks.matchesTheDefinitionOnEveryThreadCount(c);
    }
}
