package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.internal.Shapes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Vectors over output pixels: the plan for maps at least one vector wide.
 *
 * <p>A tile's broadcast operand is 4 rows {@code (output channel, y-phase, x-phase)} of one pair of
 * phase families, which all read the same input pixels; its vector operand is 4 consecutive
 * vectors of the family's grid, taken row by row ({@code chunks} vectors per grid row, so a tile
 * may cross rows and a 129-wide grid wastes one vector, not a tile). One packed panel serves
 * every row of the family pair: the more channels and phases, the more reuse.
 *
 * <p>Per axis the plan picks exact or shifted families (see {@link AxisPhases}), and the square or
 * the narrow tile of {@link TileKernel}, by a cost model: padded rows and panel packing weigh
 * against the lanes a wider shared grid wastes. Many output channels favour exact grids and the
 * square tile; one output channel (FSRCNN: 9 phase rows) favours one shared family and the narrow
 * tile.
 *
 * <p>A task is (image, output depth slice, group, y-family, block of grid rows, block of grid columns, block of output
 * channels). Its rows (channel x phase) number about {@code TARGET_ROWS}; when the layer has fewer,
 * the block of grid rows grows instead, so that each packed panel still serves as many tiles. It
 * sums its tiles into scratch, one region per row {@code (channel, y-phase, x-phase)} holding the
 * block's grid rows back to back; then a store pass per output row adds the bias, applies the
 * epilogue and interleaves the x-phases.
 *
 * <p>Memory: a row block never exceeds the grid's rows, and grid columns are cut into blocks so
 * that a task's packed panel stays within {@link #PANEL_BUDGET} floats (or one column block, for
 * layers with more input channels than that), so 1-D layers and wide maps no longer pack the whole
 * input per thread. Columns are also cut when the layer would otherwise have fewer than
 * {@link #MIN_TASKS} tasks, so that 1-D layers with few channels use the threads asked for. Phases
 * that no kernel tap reaches (huge strides) take no scratch: x-phases without taps share one
 * zeroed region, and y-families without taps are written as bias directly.
 */
final class PixelTiledPlan extends ExecutionPlan {

    private static final int LANES = TileKernel.LANES;
    /** Rows per task: enough tiles to reuse each packed panel, few enough for scratch to stay in L1/L2. */
    private static final int TARGET_ROWS = 512;
    /** Blocks of grid rows per y-family, at least (when the family has the rows): work for every thread. */
    private static final int MIN_ROW_BLOCKS = 4;
    /**
     * Steps per run of input channels when a tile reads at least {@link #RUN_TAPS} taps: every tile
     * of a block sums one run before the next, so that the run's window lines, which each tap
     * re-reads, can stay in L1 across taps and tiles (layers of 1 or 2 taps run better without).
     */
    private static final int RUN_STEPS = 256;
    private static final int RUN_TAPS = 4;
    /** Scratch floats that growing the row block may reach: a quarter of a 1 MB L2. */
    private static final long GROWN_SCRATCH = 1 << 16;
    /** Floats of packed input a task may use (1 MiB): beyond it, grid columns are cut into blocks. */
    static final long PANEL_BUDGET = 1 << 18;
    /** Tasks a layer gets at least, when its grid rows have the columns to cut: work for every thread. */
    static final int MIN_TASKS = 16;
    /** The tiles the cost model chooses among: rows of {@link TileKernel}'s square, narrow and wide tiles. */
    private static final int[] TILE_ROWS = {TileKernel.BROADCASTS, TileKernel.NARROW_BROADCASTS,
            TileKernel.WIDE_BROADCASTS};
    /**
     * The wide tile's time per FMA against the square tile's, in a plan: each vector load feeds 6
     * FMAs instead of 4 (dcgan_l4 +15%, hifigan_up1 +31% side by side on Zen 5).
     */
    private static final double WIDE_SPEED = 0.87;
    /** The wide tile's sums round-trip through scratch once per tap: about this many steps' time (dil_group, 16 steps: -10%). */
    private static final double WIDE_CALL_STEPS = 4;
    /** Packing a panel costs about as much as this many rows of tile work, in the cost model. */
    private static final int PACKING_ROWS = 4;
    /** Two-table indices interleaving lanes {@code 0..L/2-1} (and {@code L/2..L-1}) of two phase rows. */
    private static final FloatVector ZIP_LOW = zipIndices(0);
    private static final FloatVector ZIP_HIGH = zipIndices(LANES / 2);

    /** The tile: broadcast rows x vectors, square or narrow. */
    private final int tileRows;
    private final int tileVectors;
    /** Per depth phase: its blocks, whose channels are (depth tap, input channel). */
    private final WeightBlocks[] blocks;
    private final AxisPhases ys;
    private final AxisPhases xs;
    private final int[][] familiesY;
    private final int[][] familiesX;
    /** Per x-family: first grid position, and vectors per grid row of a column block (its scratch pitch). */
    private final int[] gridStartX;
    private final int[] chunks;
    /** Per x-phase: its slot in a (channel, y-phase)'s scratch; phases without taps share the last. */
    private final int[] xSlot;
    private final int xSlots;
    /** Whether some x-phase has no tap: its slot is zeroed per task. */
    private final boolean zeroSlot;
    /** The most phases of a y-family with taps: scratch holds one task's (channel, y-phase) rows. */
    private final int maxFamilyY;
    /** Grid vectors per column block, and output columns per column block. */
    private final int blockChunks;
    private final int blockColumns;
    private final int columnBlocks;
    /** Window columns per column block, a multiple of the vector length. */
    private final int windowWidth;
    /** Per y-family: first grid position and grid rows. */
    private final int[] gridStartY;
    private final int[] gridRowsY;
    private final int blockRows;
    /** First input column that column block 0's tiles read; block {@code b} starts {@code b * blockChunks} vectors on. */
    private final int windowStart;
    private final int region;
    private final int channelBlock;
    private final int channelBlocks;
    private final int scratchSize;
    /** Per row block of an image and group: its y-family and first grid row (relative to the family's start). */
    private final int[] blockFamily;
    private final int[] blockRow;
    /** Store pass: {@code columnSource[dy][x]}, scratch index of output column x from a (channel, y-phase) region. */
    private final int[][] columnSource;

    PixelTiledPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        boolean shiftedY = false;
        boolean shiftedX = false;
        int rowsChosen = TileKernel.BROADCASTS;
        double best = Double.MAX_VALUE;
        // Ties go to the square tile, listed first: it has the longer record.
        for (int choice = 0; choice < 4 * TILE_ROWS.length; choice++) {
            int rows = TILE_ROWS[choice / 4];
            double c = cost(AxisPhases.of(ay, (choice & 1) != 0), AxisPhases.of(ax, (choice & 2) != 0),
                    weights.outPerGroup, Math.max(1, sliceChannels), rows);
            if (c < best) {
                best = c;
                shiftedY = (choice & 1) != 0;
                shiftedX = (choice & 2) != 0;
                rowsChosen = rows;
            }
        }
        this.tileRows = rowsChosen;
        this.tileVectors = tileRows == TileKernel.NARROW_BROADCASTS ? TileKernel.NARROW_VECTORS : TileKernel.VECTORS;
        this.ys = AxisPhases.of(ay, shiftedY);
        this.xs = AxisPhases.of(ax, shiftedX);
        this.blocks = new WeightBlocks[zs.phases];
        for (int jz = 0; jz < zs.phases; jz++) {
            blocks[jz] = weights.blocks(zs.taps[jz], ys, xs, false, tileRows);
        }
        this.familiesY = ys.families;
        this.familiesX = xs.families;

        this.gridStartX = new int[familiesX.length];
        int[] gridChunks = new int[familiesX.length];
        int rowsForWholeTiles = 1;
        int maxChunks = 1;
        for (int f = 0; f < familiesX.length; f++) {
            gridStartX[f] = xs.gridStart(f);
            gridChunks[f] = Math.max(1, Math.ceilDiv(xs.gridSize(f), LANES));
            maxChunks = Math.max(maxChunks, gridChunks[f]);
            rowsForWholeTiles = lcm(rowsForWholeTiles, tileVectors / (int) AxisPhases.gcd(gridChunks[f], tileVectors));
        }
        this.xSlot = new int[xs.phases];
        int slots = 0;
        boolean tapless = false;
        for (int[] family : familiesX) {
            boolean taps = xs.offsets[family[0]].length > 0;
            tapless |= !taps;
            for (int j : family) {
                xSlot[j] = taps ? slots++ : -1;
            }
        }
        for (int j = 0; j < xs.phases; j++) {
            xSlot[j] = xSlot[j] < 0 ? slots : xSlot[j];
        }
        this.zeroSlot = tapless;
        this.xSlots = slots + (tapless ? 1 : 0);
        int start = Integer.MAX_VALUE;
        for (int f = 0; f < familiesX.length; f++) {
            int[] off = xs.offsets[familiesX[f][0]];
            if (off.length > 0) {
                start = Math.min(start, gridStartX[f] + off[off.length - 1]);
            }
        }
        this.windowStart = start == Integer.MAX_VALUE ? 0 : start;
        long phaseRows = (long) ys.phases * xs.phases;
        long wanted = Math.ceilDiv(Math.ceilDiv(TARGET_ROWS, phaseRows), tileRows) * tileRows;
        this.channelBlock = (int) Math.min(weights.outPerGroup, wanted);
        this.channelBlocks = Math.ceilDiv(weights.outPerGroup, channelBlock);
        this.gridStartY = new int[familiesY.length];
        this.gridRowsY = new int[familiesY.length];
        int gridRows = 1;
        int spanY = 0;
        int familyY = 0;
        for (int f = 0; f < familiesY.length; f++) {
            gridStartY[f] = ys.gridStart(f);
            gridRowsY[f] = ys.gridSize(f);
            gridRows = Math.max(gridRows, gridRowsY[f]);
            int[] off = ys.offsets[familiesY[f][0]];
            if (off.length > 0) {
                spanY = Math.max(spanY, off[0] - off[off.length - 1]);
                familyY = Math.max(familyY, familiesY[f].length);
            }
        }
        this.maxFamilyY = familyY;
        long taskRows = channelBlock * phaseRows;
        long grow = Math.max(1, Math.min(TARGET_ROWS / taskRows,
                GROWN_SCRATCH / (taskRows * rowsForWholeTiles * maxChunks * LANES)));
        long cap = Math.max(1, gridRows / ((long) MIN_ROW_BLOCKS * rowsForWholeTiles));
        // Rows past the grid would only be packed as zeros and summed for nothing (1-D layers: 3 of 4).
        this.blockRows = (int) Math.min(rowsForWholeTiles * Math.min(grow, cap), gridRows);

        int blocksTotal = 0;
        for (int f = 0; f < familiesY.length; f++) {
            blocksTotal += Math.ceilDiv(gridRowsY[f], blockRows);
        }
        long tasksPerColumnBlock = (long) geometry.batch() * geometry.depth().out() * weights.groups * blocksTotal
                * channelBlocks;
        long columnFloats = (long) sliceChannels * (blockRows + spanY);
        int cut = maxChunks;
        while (cut > 1 && columnFloats * windowWidth(gridChunks, cut) > PANEL_BUDGET) {
            cut = Math.ceilDiv(cut, 2);
        }
        if (tasksPerColumnBlock < MIN_TASKS) {
            int fewest = tileVectors;
            cut = Math.min(cut, Math.max(fewest, (int) Math.ceilDiv(maxChunks, Math.ceilDiv(MIN_TASKS, tasksPerColumnBlock))));
        }
        this.blockChunks = cut;
        this.chunks = new int[familiesX.length];
        int maxPitch = 1;
        for (int f = 0; f < familiesX.length; f++) {
            chunks[f] = pitch(gridChunks[f], f, cut);
            maxPitch = Math.max(maxPitch, chunks[f]);
        }
        this.windowWidth = windowWidth(gridChunks, cut);
        long columns = (long) cut * LANES * ax.stride();
        this.blockColumns = (int) Math.min(columns, ax.out());
        this.columnBlocks = Math.ceilDiv(ax.out(), blockColumns);
        long regionFloats = (long) Math.ceilDiv(blockRows * maxPitch, tileVectors) * tileVectors * LANES;
        long scratch = ((long) channelBlock * maxFamilyY * xSlots + 1) * regionFloats;
        if (scratch > Integer.MAX_VALUE - 16 || (long) blockRows * (blockColumns + LANES) > Integer.MAX_VALUE - 16
                || (long) sliceChannels * windowWidth * (blockRows + spanY + 1) > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("output " + Shapes.format(geometry.outputShape())
                    + " with stride " + ay.stride() + "x" + ax.stride() + " needs " + scratch
                    + " floats of per-thread scratch, more than a Java array holds");
        }
        this.region = (int) regionFloats;
        this.scratchSize = (int) scratch;
        this.blockFamily = new int[blocksTotal];
        this.blockRow = new int[blocksTotal];
        int b = 0;
        for (int f = 0; f < familiesY.length; f++) {
            for (int r = 0; r < gridRowsY[f]; r += blockRows) {
                blockFamily[b] = f;
                blockRow[b] = r;
                b++;
            }
        }

        int[] familyOfX = new int[xs.phases];
        for (int f = 0; f < familiesX.length; f++) {
            for (int j : familiesX[f]) {
                familyOfX[j] = f;
            }
        }
        int sx = ax.stride();
        this.columnSource = new int[blockRows][Math.ceilDiv(blockColumns, LANES) * LANES];
        for (int dy = 0; dy < blockRows; dy++) {
            for (int x = 0; x < blockColumns; x++) {
                int jx = x % sx;
                int f = familyOfX[jx];
                int g = x / sx + xs.shift[jx] - gridStartX[f];
                columnSource[dy][x] = xSlot[jx] * region + dy * chunks[f] * LANES + g;
            }
        }
    }

    /**
     * {@return the vectors per grid row that x-family {@code f} sums for a column block of
     * {@code cut} vectors} Its phases are shifted up to {@code delta} grid positions past the
     * family's start, so the block's outputs reach that much further.
     */
    private int pitch(int gridChunks, int f, int cut) {
        int delta = 0;
        for (int j : familiesX[f]) {
            delta = Math.max(delta, xs.shift[j] - gridStartX[f]);
        }
        return Math.min(gridChunks, cut + Math.ceilDiv(delta, LANES));
    }

    /** {@return the window columns a column block of {@code cut} vectors reads, rounded up to whole vectors} */
    private int windowWidth(int[] gridChunks, int cut) {
        long end = windowStart;
        for (int f = 0; f < familiesX.length; f++) {
            int[] off = xs.offsets[familiesX[f][0]];
            if (off.length > 0) {
                end = Math.max(end, gridStartX[f] + (long) pitch(gridChunks[f], f, cut) * LANES + off[0]);
            }
        }
        return (int) (Math.ceilDiv(end - windowStart, LANES) * LANES);
    }

    private static FloatVector zipIndices(int from) {
        float[] index = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            index[l] = from + l / 2 + (l % 2) * LANES;
        }
        return FloatVector.fromArray(TileKernel.SPECIES, index, 0);
    }

    /**
     * Tile work, in row-lane-steps: padded rows plus packing, times grid rows, lanes and taps, per
     * family pair; for the wide tile, times {@link #WIDE_SPEED} and its sums' round trip per tap.
     */
    private static double cost(AxisPhases ys, AxisPhases xs, int channels, int cin, int tileRows) {
        double total = 0;
        for (int fy = 0; fy < ys.families.length; fy++) {
            int nty = ys.offsets[ys.families[fy][0]].length;
            for (int fx = 0; fx < xs.families.length; fx++) {
                int ntx = xs.offsets[xs.families[fx][0]].length;
                double rows = (double) channels * ys.families[fy].length * xs.families[fx].length;
                double lanes = Math.ceilDiv(xs.gridSize(fx), LANES) * (double) LANES;
                double work = (Math.ceil(rows / tileRows) * tileRows + PACKING_ROWS) * ys.gridSize(fy) * lanes * nty * ntx;
                if (tileRows == TileKernel.WIDE_BROADCASTS) {
                    int steps = Math.min(cin, runLength(nty * ntx, cin, tileRows));
                    work *= WIDE_SPEED * (steps + WIDE_CALL_STEPS) / steps;
                }
                total += work;
            }
        }
        return total;
    }

    /** {@return the input channels a tile of {@code tileRows} rows sums per run when it reads {@code taps} taps} */
    private static int runLength(int taps, int cin, int tileRows) {
        return taps >= RUN_TAPS && tileRows != TileKernel.NARROW_BROADCASTS ? Math.ceilDiv(RUN_STEPS, taps) : cin;
    }

    private static int lcm(int a, int b) {
        return a / (int) AxisPhases.gcd(a, b) * b;
    }

    /** {@return the plan and its tile, such as "PixelTiledPlan 3x6"} */
    @Override
    public String toString() {
        return "PixelTiledPlan " + tileRows + "x" + tileVectors;
    }

    @Override
    public Tile tile() {
        return new Tile(tileRows, tileVectors);
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * geometry.depth().out() * weights.groups * blockFamily.length * columnBlocks
                * channelBlocks;
    }

    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int cb = (int) (task % channelBlocks);
        long rest = task / channelBlocks;
        int column = (int) (rest % columnBlocks);
        rest /= columnBlocks;
        int block = (int) (rest % blockFamily.length);
        rest /= blockFamily.length;
        int g = (int) (rest % weights.groups);
        int slice = (int) (rest / weights.groups);
        int n = slice / geometry.depth().out();
        int oz = slice % geometry.depth().out();
        Workspace ws = Workspace.current();
        int c0 = cb * channelBlock;
        int c1 = Math.min(c0 + channelBlock, weights.outPerGroup);
        int fy = blockFamily[block];
        int[] tz = depthTaps(oz, ws.rangeZ);
        int tz0 = tz[0];
        int tz1 = tz[1];
        if (ys.offsets[familiesY[fy][0]].length == 0 || tz0 == tz1) {
            storeBias(out, n, g, oz, fy, blockRow[block], c0, c1, column, ws.spill);
            return;
        }
        float[] scratch = ws.scratch(scratchSize);
        sumTiles(ws, scratch, in, n, g, oz, tz0, tz1, fy, blockRow[block], c0, c1, column);
        storeRows(scratch, out, n, g, oz, fy, blockRow[block], c0, c1, column, ws.spill);
    }

    /**
     * Sums the task's tiles of output depth slice {@code oz} over depth taps {@code [tz0, tz1)}, whose
     * input slices the window holds as consecutive runs of input channels.
     */
    private void sumTiles(Workspace ws, float[] scratch, MemorySegment in, int n, int g, int oz, int tz0, int tz1,
            int fy, int row0, int c0, int c1, int column) {
        int inH = geometry.height().in();
        WeightBlocks wb = blocks[oz % zs.stride];
        int channels = (tz1 - tz0) * weights.inPerGroup;
        int firstChannel = tz0 * weights.inPerGroup;
        int[] offY = ys.offsets[familiesY[fy][0]];
        int gy0 = gridStartY[fy] + row0;
        int minY = offY[offY.length - 1];
        int windowRows = blockRows + offY[0] - minY;
        int width = windowWidth;
        int rowPitch = channels * width;
        MemorySegment window = ws.panel((long) windowRows * rowPitch + LANES);
        packSlices(ws, in, n, g, oz, tz0, tz1, gy0 + minY, windowRows, windowStart + column * blockChunks * LANES,
                width, window);
        if (zeroSlot) {
            for (int row = 0; row < (c1 - c0) * familiesY[fy].length; row++) {
                int at = (row * xSlots + xSlots - 1) * region;
                Arrays.fill(scratch, at, at + region, 0f);
            }
        }
        int dummy = scratchSize - region;
        for (int fx = 0; fx < familiesX.length; fx++) {
            int[] offX = xs.offsets[familiesX[fx][0]];
            if (offX.length == 0) {
                continue;
            }
            int rowsPerChannel = familiesY[fy].length * familiesX[fx].length;
            int rowEnd = c1 * rowsPerChannel;
            int vectors = blockRows * chunks[fx];
            for (int v0 = 0; v0 < vectors; v0 += tileVectors) {
                // A tile reaching past the block's vectors repeats its last one; the scratch region has room.
                int last = Math.min(v0 + tileVectors, vectors) - 1;
                int dyLo = v0 / chunks[fx];
                int dyHi = last / chunks[fx];
                int[] reach = AxisPhases.reachingTaps(offY, gy0 + dyLo, gy0 + dyHi, inH, ws.rangeY);
                int tyLo = reach[0];
                int tyHi = reach[1];
                int first = vectorStart(v0, fx, rowPitch);
                long[] segments = ws.segments(Math.max(1, (tyHi - tyLo) * offX.length));
                int count = 0;
                for (int ty = tyLo; ty < tyHi; ty++) {
                    for (int tx = 0; tx < offX.length; tx++) {
                        segments[count++] = first + (long) (offY[ty] - minY) * rowPitch + offX[tx] - windowStart;
                    }
                }
                long skipTaps = (long) tyLo * offX.length * wb.channels * tileRows;
                long[] weightStarts = ws.bcSegments(count);
                long[] runStarts = ws.runSegments(count);
                int[] offsets = ws.vectorOffsets;
                for (int v = 1; v < tileVectors; v++) {
                    offsets[v] = vectorStart(Math.min(v0 + v, last), fx, rowPitch) - first;
                }
                int run = runLength(count, channels, tileRows);
                for (int ci = 0; ci < channels; ci += run) {
                    int steps = Math.min(run, channels - ci);
                    for (int s = 0; s < count; s++) {
                        runStarts[s] = segments[s] + (long) ci * width;
                    }
                    for (int tile = c0 * rowsPerChannel / tileRows; tile * tileRows < rowEnd; tile++) {
                        for (int b = 0; b < tileRows; b++) {
                            int row = tile * tileRows + b;
                            ws.base[b] = v0 * LANES + (row < rowEnd ? scratchRow(row, fy, fx, c0) : dummy);
                        }
                        if (count == 0) {
                            TileKernel.storeZeros(scratch, ws.base, tileRows, tileVectors);
                            continue;
                        }
                        long weightsAt = wb.blockIndex(g, fy, fx, tile) + skipTaps + (long) (firstChannel + ci) * tileRows;
                        for (int s = 0; s < count; s++) {
                            weightStarts[s] = weightsAt + (long) s * wb.channels * tileRows;
                        }
                        if (tileRows == TileKernel.BROADCASTS) {
                            TileKernel.computeTile(window, runStarts, width, offsets[1], offsets[2], offsets[3],
                                    wb.data, weightStarts, tileRows, count, steps, scratch, ws.base, ci > 0);
                            continue;
                        }
                        // The wide and narrow tiles continue the sums in scratch, one segment per call.
                        if (ci == 0) {
                            TileKernel.storeZeros(scratch, ws.base, tileRows, tileVectors);
                        }
                        for (int sg = 0; sg < count; sg++) {
                            if (tileRows == TileKernel.WIDE_BROADCASTS) {
                                TileKernel.computeWideTile(window, runStarts[sg], width, offsets[1], offsets[2],
                                        offsets[3], wb.data, weightStarts[sg], tileRows, steps, scratch, ws.base);
                            } else {
                                TileKernel.computeNarrowTile(window, runStarts[sg], width, offsets, wb.data,
                                        weightStarts[sg], tileRows, steps, scratch, ws.base);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * @return window index, at tap offset 0 and input channel 0, of the first lane of vector
     *     {@code v} of x-family {@code fx}, window rows being {@code rowPitch} floats apart
     */
    private int vectorStart(int v, int fx, int rowPitch) {
        return v / chunks[fx] * rowPitch + gridStartX[fx] + v % chunks[fx] * LANES;
    }

    /** @return scratch index of the region of family row {@code row}: (channel, y-phase, x-phase) */
    private int scratchRow(int row, int fy, int fx, int c0) {
        int[] py = familiesY[fy];
        int[] px = familiesX[fx];
        int channel = row / (py.length * px.length) - c0;
        int phaseY = row / px.length % py.length;
        int jx = px[row % px.length];
        return ((channel * py.length + phaseY) * xSlots + xSlot[jx]) * region;
    }

    private void storeRows(float[] scratch, MemorySegment out, int n, int g, int oz, int fy, int row0, int c0, int c1,
            int column, float[] spill) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        int[] py = familiesY[fy];
        for (int c = c0; c < c1; c++) {
            int co = g * weights.outPerGroup + c;
            float bias = weights.bias.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, co);
            for (int phaseY = 0; phaseY < py.length; phaseY++) {
                int jy = py[phaseY];
                for (int dy = 0; dy < blockRows; dy++) {
                    int q = gridStartY[fy] + row0 + dy - ys.shift[jy];
                    if (q >= 0 && q < ys.count(jy)) {
                        int source = ((c - c0) * py.length + phaseY) * xSlots * region;
                        storeRow(scratch, source, columnSource[dy], out, outputRow(n, co, oz, q * ay.stride() + jy),
                                column * blockColumns, bias, spill);
                    }
                }
            }
        }
    }

    /**
     * The outputs of a y-family (or depth slice) that no kernel tap reaches: the epilogue of {@code +0 + bias} (+0
     * for a bias of -0, as the definition's sum gives), written without scratch.
     */
    private void storeBias(MemorySegment out, int n, int g, int oz, int fy, int row0, int c0, int c1, int column,
            float[] spill) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        int x0 = column * blockColumns;
        int x1 = Math.min(x0 + blockColumns, geometry.width().out());
        for (int c = c0; c < c1; c++) {
            int co = g * weights.outPerGroup + c;
            float bias = weights.bias.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, co);
            FloatVector value = epilogue.apply(FloatVector.zero(TileKernel.SPECIES).add(bias));
            for (int jy : familiesY[fy]) {
                for (int dy = 0; dy < blockRows; dy++) {
                    int q = gridStartY[fy] + row0 + dy - ys.shift[jy];
                    if (q >= 0 && q < ys.count(jy)) {
                        long rowStart = outputRow(n, co, oz, q * ay.stride() + jy);
                        for (int x = x0; x < x1; x += LANES) {
                            TileKernel.storeLanes(value, out, (rowStart + x) * Float.BYTES, TileKernel.laneBits(x, x1),
                                    spill);
                        }
                    }
                }
            }
        }
    }

    /**
     * Bias, epilogue and the x-phase interleave for one output row. Stride 1 needs no interleave;
     * stride 2 interleaves two phase rows with a two-table permute (one vector from each phase
     * gives two output vectors); other strides gather through the column map.
     */
    private void storeRow(float[] scratch, int source, int[] columns, MemorySegment out, long rowStart, int x0,
            float bias, float[] spill) {
        int ow = Math.min(x0 + blockColumns, geometry.width().out()) - x0;
        long start = rowStart + x0;
        switch (geometry.width().stride()) {
            case 1 -> {
                for (int x = 0; x < ow; x += LANES) {
                    store(FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[0] + x), out, start, x,
                            ow, bias, spill);
                }
            }
            case 2 -> {
                for (int x = 0; x < ow; x += 2 * LANES) {
                    FloatVector even = FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[x]);
                    FloatVector odd = FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[x + 1]);
                    store(ZIP_LOW.selectFrom(even, odd), out, start, x, ow, bias, spill);
                    store(ZIP_HIGH.selectFrom(even, odd), out, start, x + LANES, ow, bias, spill);
                }
            }
            default -> {
                for (int x = 0; x < ow; x += LANES) {
                    store(FloatVector.fromArray(TileKernel.SPECIES, scratch, source, columns, x), out, start, x, ow,
                            bias, spill);
                }
            }
        }
    }

    private void store(FloatVector sums, MemorySegment out, long rowStart, int x, int ow, float bias, float[] spill) {
        TileKernel.storeLanes(epilogue.apply(sums.add(bias)), out, (rowStart + x) * Float.BYTES,
                TileKernel.laneBits(x, ow), spill);
    }
}
