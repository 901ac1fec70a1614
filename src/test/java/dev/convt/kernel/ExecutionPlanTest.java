package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.kernel.ExecutionPlan.Kind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link ExecutionPlan#create} in its documented order, on layers where two rules apply: the
 * earlier one wins. The maps are one grid column wide or 64 wide, so the choice between the tiled
 * plans is the same at every vector width from 128 to 512 bits.
 */
class ExecutionPlanTest {

    private static ExecutionPlan plan(ConvTransposeSpec spec, float firstWeight, long... inputShape) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(ValueLayout.JAVA_FLOAT, spec.weightCount());
            w.fill((byte) 0);
            w.setAtIndex(ValueLayout.JAVA_FLOAT, 0, firstWeight);
            return ExecutionPlan.create(spec.geometry(inputShape), PackedWeights.pack(spec, w, null, null, arena),
                    Epilogue.NONE);
        }
    }

    @Test
    void aNonFiniteWeightTakesTheScalarPlanEvenWhereTheDepthwisePlanFits() {
        ConvTransposeSpec depthwise = ConvTransposeSpec.builder(8, 8, 4, 4).groups(8).stride(2).padding(1).build();
        assertEquals(Kind.DEPTHWISE, plan(depthwise, 1f, 1, 8, 16, 16).kind());
        assertEquals(Kind.SCALAR, plan(depthwise, Float.POSITIVE_INFINITY, 1, 8, 16, 16).kind());
        assertEquals(Kind.SCALAR, plan(depthwise, Float.NaN, 1, 8, 16, 16).kind());
    }

    @Test
    void theDepthwisePlanComesBeforeTheChannelTiledOne() {
        // One input channel per group and 32 output channels per group, on a map one grid column wide.
        ConvTransposeSpec spec = ConvTransposeSpec.builder(2, 64, 2, 2).groups(2).stride(2).build();
        assertEquals(Kind.DEPTHWISE, plan(spec, 1f, 1, 2, 1, 1).kind());
    }

    @Test
    void narrowMapsTakeChannelTilesFrom32ChannelsPerGroup() {
        assertEquals(Kind.CHANNEL_TILED, plan(ConvTransposeSpec.builder(8, 32, 2, 2).stride(2).build(), 1f,
                1, 8, 1, 1).kind());
        assertEquals(Kind.PIXEL_TILED, plan(ConvTransposeSpec.builder(8, 31, 2, 2).stride(2).build(), 1f,
                1, 8, 1, 1).kind());
        assertEquals(Kind.PIXEL_TILED, plan(ConvTransposeSpec.builder(8, 64, 2, 2).groups(4).stride(2).build(), 1f,
                1, 8, 1, 1).kind());
    }

    @Test
    void mapsAVectorWideTakePixelTilesWhateverTheChannels() {
        assertEquals(Kind.PIXEL_TILED, plan(ConvTransposeSpec.builder(8, 64, 2, 2).stride(2).build(), 1f,
                1, 8, 4, 64).kind());
    }

    @Test
    void plansWithoutAMicroKernelTileSayNone() {
        ConvTransposeSpec depthwise = ConvTransposeSpec.builder(8, 8, 4, 4).groups(8).stride(2).padding(1).build();
        assertEquals(ExecutionPlan.Tile.NONE, plan(depthwise, 1f, 1, 8, 16, 16).tile());
        assertEquals(ExecutionPlan.Tile.NONE, plan(depthwise, Float.NaN, 1, 8, 16, 16).tile());
    }
}
