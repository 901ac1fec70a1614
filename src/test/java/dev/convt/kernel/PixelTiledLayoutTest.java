package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.testing.RandomCase;
import org.junit.jupiter.api.Test;

/**
 * {@link PixelTiledLayout} alone, without running a kernel: for random 1-D, 2-D and 3-D layers,
 * the row blocks cover each y-family's grid rows once, the column blocks cover the output width,
 * the channel blocks the channels, every index the store pass reads lies in the scratch, the task
 * count is the product of its parts, and a task's window stays within the panel budget unless
 * columns cannot be cut further.
 */
class PixelTiledLayoutTest {

    private static final int LANES = TileKernel.LANES;

    @Test
    void blocksCoverTheLayerAndIndicesStayInTheirBuffers() {
        for (long seed = 1; seed <= 400; seed++) {
            RandomCase c = RandomCase.generate(seed % 4 == 0 ? -seed : seed,
                    seed % 4 == 0 ? RandomCase.Options.FUZZ_3D : RandomCase.Options.FUZZ);
            ConvTransposeGeometry g = c.geometry();
            ConvTransposeSpec spec = g.spec();
            int cin = spec.inChannels() / spec.groups();
            int outPerGroup = spec.outChannels() / spec.groups();
            int depthTaps = 0;
            for (int[] taps : AxisPhases.of(g.depth(), false).taps) {
                depthTaps = Math.max(depthTaps, taps.length);
            }
            int sliceChannels = depthTaps * cin;
            PixelTiledLayout l = PixelTiledLayout.choose(g, sliceChannels);
            String at = c.toString();

            for (int f = 0; f < l.familiesY.length; f++) {
                int next = 0;
                for (int b = 0; b < l.blockFamily.length; b++) {
                    if (l.blockFamily[b] == f) {
                        assertEquals(next, l.blockRow[b], at + ": row blocks of y-family " + f);
                        next += l.blockRows;
                    }
                }
                assertTrue(next >= l.gridRowsY[f] && next - l.blockRows < Math.max(1, l.gridRowsY[f]),
                        at + ": y-family " + f + " grid rows " + l.gridRowsY[f] + " covered to " + next);
            }
            int ow = g.width().out();
            assertTrue((long) l.columnBlocks * l.blockColumns >= ow && (l.columnBlocks - 1L) * l.blockColumns < ow,
                    at + ": " + l.columnBlocks + " column blocks of " + l.blockColumns);
            assertTrue((long) l.channelBlocks * l.channelBlock >= outPerGroup
                    && (l.channelBlocks - 1L) * l.channelBlock < outPerGroup, at + ": channel blocks");
            assertEquals(0, l.windowWidth % LANES, at + ": window width");
            assertEquals((long) g.batch() * g.depth().out() * spec.groups() * l.blockFamily.length * l.columnBlocks
                    * l.channelBlocks, l.tasks, at + ": tasks");

            // The store pass reads region (channel, y-phase) at columnSource: the last region's reads must fit.
            long lastRegion = ((long) l.channelBlock * l.maxFamilyY - 1) * l.xSlots * l.region;
            for (int dy = 0; dy < l.blockRows; dy++) {
                for (int x = 0; x < l.blockColumns; x++) {
                    int source = l.columnSource[dy][x];
                    assertTrue(source >= 0 && lastRegion + source < l.scratchSize,
                            at + ": column " + x + " of block row " + dy + " reads scratch " + source);
                }
            }

            int spanY = 0;
            for (int[] family : l.familiesY) {
                int[] off = l.ys.offsets[family[0]];
                if (off.length > 0) {
                    spanY = Math.max(spanY, off[0] - off[off.length - 1]);
                }
            }
            long window = (long) sliceChannels * l.windowWidth * (l.blockRows + spanY);
            assertTrue(window <= PixelTiledLayout.PANEL_BUDGET || l.blockChunks <= l.tileVectors
                            || l.blockChunks == 1,
                    at + ": window of " + window + " floats with " + l.blockChunks + " vectors per column block");
        }
    }

    /**
     * FSRCNN's x3 layer (56 -> 1 channels, kernel 9, stride 3, 128 x 128 input): its whole width
     * does not fit the panel budget in the grown row block, and too few row blocks would leave
     * threads idle; the layout shrinks the row blocks before it cuts columns, down to blocks whose
     * halo rows are at most a quarter of their rows. With 16-float vectors that leaves one column
     * block; with 8-float vectors and the 3x6 tile, whole tiles need 6-row steps and the floor of
     * 12 rows gives too few tasks, so there columns are cut as well.
     */
    @Test
    void shrinksRowBlocksBeforeCuttingColumns() {
        ConvTransposeGeometry g = ConvTransposeSpec.builder(56, 1, 9, 9).stride(3).padding(4).outputPadding(2).build()
                .geometry(1, 56, 128, 128);
        PixelTiledLayout l = PixelTiledLayout.choose(g, 56);
        int spanY = 2;  // three taps per y-phase
        int gridChunks = Math.ceilDiv(l.xs.gridSize(0), LANES);
        int wholeTileRows = l.tileVectors / (int) AxisPhases.gcd(gridChunks, l.tileVectors);
        assertEquals(1, l.familiesX.length);
        assertTrue(l.blockRows >= 4 * spanY, "rows per block " + l.blockRows);
        assertTrue(l.columnBlocks == 1 || l.blockRows - wholeTileRows < 4 * spanY,
                l.columnBlocks + " column blocks of " + l.blockRows + " rows, which could have shrunk");
        assertTrue((long) 56 * l.windowWidth * (l.blockRows + spanY) <= PixelTiledLayout.PANEL_BUDGET,
                "window of " + l.blockRows + " rows x " + l.windowWidth + " columns");
        assertTrue(l.tasks >= PixelTiledLayout.MIN_TASKS, l.tasks + " tasks");
    }
}
