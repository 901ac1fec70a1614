package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.internal.Shapes;

/**
 * How {@link PixelTiledPlan} cuts one layer for one input shape, chosen once and immutable: the
 * tile and the phase families per axis (by a cost model), the grid and window of each family,
 * block sizes, the task table and the store pass's column map. Testable without running a kernel.
 *
 * <p>Per axis the layout takes exact or shifted families (see {@link AxisPhases}), and the square,
 * narrow or wide tile of {@link TileKernel}, by a cost model: padded rows and panel packing weigh
 * against the lanes a wider shared grid wastes. Many output channels favour exact grids and the
 * square or wide tile; one output channel (FSRCNN: 9 phase rows) favours one shared family and the
 * narrow tile.
 *
 * <p>Memory: a row block never exceeds the grid's rows, and a task's packed panel stays within
 * {@link #PANEL_BUDGET} floats (or one column block, for layers with more input channels than
 * that), so 1-D layers and wide maps never pack the whole input per thread: first by fewer rows
 * per block, while a block's halo rows stay within a quarter of its rows, then by cutting grid
 * columns into blocks. The same two steps, in that order, give a layer at least
 * {@link #MIN_TASKS} tasks, so that 1-D layers with few channels use the threads asked for.
 */
final class PixelTiledLayout {

    private static final int LANES = TileKernel.LANES;

    /** Rows per task: enough tiles to reuse each packed panel, few enough for scratch to stay in L1/L2. */
    static final int TARGET_ROWS = 512;
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
     * (or 5) FMAs instead of 4, which the tiles alone show as 10-20% (16 registers: about 10%) more
     * FMAs per second.
     */
    private static final double WIDE_SPEED = TileKernel.LARGE ? 0.87 : 0.91;
    /** The wide tile's sums round-trip through scratch once per tap: about this many steps' time. */
    private static final double WIDE_CALL_STEPS = 4;
    /** Packing a panel costs about as much as this many rows of tile work, in the cost model. */
    private static final int PACKING_ROWS = 4;

    /** The tile: broadcast rows x vectors, square, narrow or wide. */
    final int tileRows;
    final int tileVectors;
    final AxisPhases ys;
    final AxisPhases xs;
    final int[][] familiesY;
    final int[][] familiesX;
    /** Per x-family: first grid position, and vectors per grid row of a column block (its scratch pitch). */
    final int[] gridStartX;
    final int[] chunks;
    /** Per x-phase: its slot in a (channel, y-phase)'s scratch; phases without taps share the last. */
    final int[] xSlot;
    final int xSlots;
    /** Whether some x-phase has no tap: its slot is zeroed per task. */
    final boolean zeroSlot;
    /** The most phases of a y-family with taps: scratch holds one task's (channel, y-phase) rows. */
    final int maxFamilyY;
    /** Grid vectors per column block, and output columns per column block. */
    final int blockChunks;
    final int blockColumns;
    final int columnBlocks;
    /** Window columns per column block, a multiple of the vector length. */
    final int windowWidth;
    /** Per y-family: first grid position and grid rows. */
    final int[] gridStartY;
    final int[] gridRowsY;
    final int blockRows;
    /** First input column that column block 0's tiles read; block {@code b} starts {@code b * blockChunks} vectors on. */
    final int windowStart;
    final int region;
    final int channelBlock;
    final int channelBlocks;
    final int scratchSize;
    /** Per row block of an image and group: its y-family and first grid row (relative to the family's start). */
    final int[] blockFamily;
    final int[] blockRow;
    /** Store pass: {@code columnSource[dy][x]}, scratch index of output column x from a (channel, y-phase) region. */
    final int[][] columnSource;

    /** Tasks per call: (image, depth slice, group, row block, column block, channel block). */
    final long tasks;

    /**
     * {@return the layout for {@code geometry}} Per axis exact or shifted families, and the square,
     * narrow or wide tile, whichever the cost model prices lowest.
     *
     * @param sliceChannels input channels a 2-D slice sums over (depth taps times the group's channels)
     */
    static PixelTiledLayout choose(ConvTransposeGeometry geometry, int sliceChannels) {
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
                    geometry.spec().outChannels() / geometry.spec().groups(), Math.max(1, sliceChannels), rows);
            if (c < best) {
                best = c;
                shiftedY = (choice & 1) != 0;
                shiftedX = (choice & 2) != 0;
                rowsChosen = rows;
            }
        }
        return new PixelTiledLayout(geometry, sliceChannels, shiftedY, shiftedX, rowsChosen);
    }

    private PixelTiledLayout(ConvTransposeGeometry geometry, int sliceChannels, boolean shiftedY, boolean shiftedX,
            int tileRows) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        int groups = geometry.spec().groups();
        int outPerGroup = geometry.spec().outChannels() / groups;
        this.tileRows = tileRows;
        this.tileVectors = tileRows == TileKernel.NARROW_BROADCASTS ? TileKernel.NARROW_VECTORS : TileKernel.VECTORS;
        this.ys = AxisPhases.of(ay, shiftedY);
        this.xs = AxisPhases.of(ax, shiftedX);
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
        this.channelBlock = (int) Math.min(outPerGroup, wanted);
        this.channelBlocks = Math.ceilDiv(outPerGroup, channelBlock);
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
        int rows = (int) Math.min(rowsForWholeTiles * Math.min(grow, cap), gridRows);
        long imageTasks = (long) geometry.batch() * geometry.depth().out() * groups * channelBlocks;
        // Fewer rows per block before cut columns, while a block's halo rows stay within a quarter
        // of its rows: a column cut packs the halo columns again and sums every shifted phase one
        // vector further (FSRCNN: half as many lanes again), a row block only packs its halo rows.
        int fewestRows = Math.ceilDiv(Math.max(1, 4 * spanY), rowsForWholeTiles) * rowsForWholeTiles;
        while (rows > fewestRows && (panelFloats(sliceChannels, rows + spanY, gridChunks, maxChunks) > PANEL_BUDGET
                || imageTasks * rowBlocks(rows) < MIN_TASKS)) {
            rows = Math.max(fewestRows, (rows - 1) / rowsForWholeTiles * rowsForWholeTiles);
        }
        this.blockRows = rows;

        int blocksTotal = rowBlocks(blockRows);
        long tasksPerColumnBlock = imageTasks * blocksTotal;
        int cut = maxChunks;
        while (cut > 1 && panelFloats(sliceChannels, blockRows + spanY, gridChunks, cut) > PANEL_BUDGET) {
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
        this.columnSource = new int[blockRows][Math.ceilDiv(blockColumns, LANES) * LANES];
        for (int dy = 0; dy < blockRows; dy++) {
            for (int x = 0; x < blockColumns; x++) {
                int jx = xs.phase(x);
                int f = familyOfX[jx];
                int g = xs.gridIndex(x) + xs.shift[jx] - gridStartX[f];
                columnSource[dy][x] = xSlot[jx] * region + dy * chunks[f] * LANES + g;
            }
        }
        this.tasks = tasksPerColumnBlock * columnBlocks;
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

    /** {@return the floats of a task's panel: {@code windowRows} rows of a column block of {@code cut} vectors} */
    private long panelFloats(int sliceChannels, int windowRows, int[] gridChunks, int cut) {
        return (long) sliceChannels * windowRows * windowWidth(gridChunks, cut);
    }

    /** {@return the blocks of {@code rows} grid rows that the y-families cut into} */
    private int rowBlocks(int rows) {
        int blocks = 0;
        for (int rowsOfFamily : gridRowsY) {
            blocks += Math.ceilDiv(rowsOfFamily, rows);
        }
        return blocks;
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
    static int runLength(int taps, int cin, int tileRows) {
        return taps >= RUN_TAPS && tileRows != TileKernel.NARROW_BROADCASTS ? Math.ceilDiv(RUN_STEPS, taps) : cin;
    }

    private static int lcm(int a, int b) {
        return a / (int) AxisPhases.gcd(a, b) * b;
    }

    /**
     * @return window index, at tap offset 0 and input channel 0, of the first lane of vector
     *     {@code v} of x-family {@code fx}, window rows being {@code rowPitch} floats apart
     */
    int vectorStart(int v, int fx, int rowPitch) {
        return v / chunks[fx] * rowPitch + gridStartX[fx] + v % chunks[fx] * LANES;
    }

    /**
     * Writes to {@code regions[i]}, for {@code i < count}, the scratch index of the region of family
     * row {@code c0 * rowsPerChannel + i}, which is (channel, y-phase, x-phase); rows from {@code end}
     * on get {@code dummy}. Counters instead of a division per row: the tile loop would otherwise
     * divide three times per row of every tile, every run.
     */
    void scratchRows(int fy, int fx, int c0, int end, int dummy, int[] regions, int count) {
        int[] py = familiesY[fy];
        int[] px = familiesX[fx];
        int row = c0 * py.length * px.length;
        int channel = 0;
        int phaseY = 0;
        int phaseX = 0;
        for (int i = 0; i < count; i++, row++) {
            regions[i] = row < end ? ((channel * py.length + phaseY) * xSlots + xSlot[px[phaseX]]) * region : dummy;
            if (++phaseX == px.length) {
                phaseX = 0;
                if (++phaseY == py.length) {
                    phaseY = 0;
                    channel++;
                }
            }
        }
    }
}
