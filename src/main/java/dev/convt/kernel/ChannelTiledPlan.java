package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Vectors over output channels: the plan for maps narrower than a vector (DCGAN's 1x1 to 8x8
 * layers), where vectors over pixels would be mostly empty lanes.
 *
 * <p>A tile's vector operand is 4 vectors of one phase's weights (64 output channels with 512-bit
 * vectors); its broadcast operand is 4 neighbouring pixels of that phase's grid, read straight from
 * a panel of input rows laid out {@code [row][channel][column]} with zero columns around the
 * image. Every kernel tap of every x-phase reads the same panel at its own shift, so the input is
 * copied once per task rather than once per tap, and a tile visits only the taps that reach the
 * image for one of its 4 pixels (a 1x1 input costs little more than the products that matter).
 *
 * <p>A task is (image, output depth slice, group, y-phase, block of output channels, block of grid
 * rows): it packs the
 * input rows those grid rows read, then for each x-phase sums every (channel block, pixel group)
 * tile into scratch {@code [pixel][channel]} and writes each output element once, in place. A task
 * owns whole output rows of its channels, so concurrent tasks never write the same cache line.
 */
final class ChannelTiledPlan extends ExecutionPlan {

    private static final int LANES = TileKernel.LANES;
    private static final int PIXELS = TileKernel.BROADCASTS;
    private static final int CHANNELS = TileKernel.VECTOR_WIDTH;
    /**
     * Output channels per packed weight block: 2 vectors, half of a 4-vector tile's {@link
     * #CHANNELS}, so that each half streams on its own through the paired tile.
     */
    private static final int PACKED = 2 * LANES;
    private static final int HALVES = CHANNELS / PACKED;
    /** Below this many output channels per group, vectors over channels would be mostly empty. */
    static final int MIN_CHANNELS = 32;
    /** Tasks per image and group: enough to share among threads, few enough that panels are reused. */
    private static final int TARGET_TASKS = 4;
    /** Floats of packed input and of sums a task may use: about 1 MiB each, L2-sized. */
    private static final long PANEL_BUDGET = 1L << 18;
    private static final long SCRATCH_BUDGET = 1L << 18;
    /**
     * Panel columns past each side of the image: a tap reaches a pixel group when it reaches one of
     * its pixels, so the group's other pixels lie at most {@code PIXELS - 1} columns outside.
     */
    private static final int MARGIN = PIXELS - 1;

    private final AxisPhases ys;
    private final AxisPhases xs;
    /** Per depth phase: its blocks, whose channels are (depth tap, input channel). */
    private final WeightBlocks[] blocks;
    private final int blocksPerGroup;
    private final int blocksPerTask;
    private final int tasksPerPhase;
    /** Grid rows per task, so a task's panel and sums stay bounded for any map height. */
    private final int rowsPerTask;
    private final int rowBlocks;
    /** Panel columns: input columns {@code [panelX, panelX + panelWidth)}, zero outside the image. */
    private final int panelX;
    private final int panelWidth;

    /**
     * {@return whether this plan suits the layer} The width's phase grid is narrower than a vector
     * (vectors over pixels would be mostly empty lanes) and there are at least {@link
     * #MIN_CHANNELS} output channels per group to take their place.
     */
    static boolean fits(ConvTransposeGeometry geometry, PackedWeights weights) {
        int gridWidth = Math.ceilDiv(geometry.width().out(), geometry.width().stride());
        return gridWidth < LANES && weights.outPerGroup >= MIN_CHANNELS;
    }

    ChannelTiledPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.ys = AxisPhases.of(geometry.height(), false);
        this.xs = AxisPhases.of(geometry.width(), false);
        this.blocks = new WeightBlocks[zs.phases];
        for (int jz = 0; jz < zs.phases; jz++) {
            blocks[jz] = weights.blocks(zs.taps[jz], ys, xs, true, PACKED);
        }
        this.blocksPerGroup = Math.ceilDiv(weights.outPerGroup, CHANNELS);
        int parts = Math.min(blocksPerGroup, Math.ceilDiv(TARGET_TASKS, ys.phases));
        this.blocksPerTask = Math.ceilDiv(blocksPerGroup, parts);
        this.tasksPerPhase = Math.ceilDiv(blocksPerGroup, blocksPerTask);
        int inW = geometry.width().in();
        long xLo = 0;
        long xHi = inW - 1L;
        long maxGroups = 0;
        for (int j = 0; j < xs.phases; j++) {
            long groups = Math.ceilDiv(xs.count(j), PIXELS);
            maxGroups = Math.max(maxGroups, groups);
            for (int off : xs.offsets[j]) {
                xLo = Math.min(xLo, off);
                xHi = Math.max(xHi, groups * PIXELS - 1 + off);
            }
        }
        this.panelX = (int) Math.max(xLo, -MARGIN);
        this.panelWidth = (int) (Math.min(xHi, inW - 1L + MARGIN) - panelX + 1);
        int maxRows = 0;
        int spanY = 0;
        for (int j = 0; j < ys.phases; j++) {
            maxRows = Math.max(maxRows, ys.count(j));
            int[] off = ys.offsets[j];
            if (off.length > 0) {
                spanY = Math.max(spanY, Math.abs(off[0] - off[off.length - 1]));
            }
        }
        long panelPerRow = (long) Math.max(1, sliceChannels) * panelWidth;
        long sumsPerRow = maxGroups * PIXELS * (long) blocksPerTask * CHANNELS;
        long rows = Math.min(PANEL_BUDGET / panelPerRow - spanY, SCRATCH_BUDGET / sumsPerRow);
        this.rowsPerTask = Math.clamp(rows, 1, Math.max(1, maxRows));
        long inputRows = Math.min(rowsPerTask + (long) spanY, geometry.height().in());
        long maxBlock = 0;
        for (WeightBlocks wb : blocks) {
            for (int jy = 0; jy < ys.phases; jy++) {
                for (int jx = 0; jx < xs.phases; jx++) {
                    maxBlock = Math.max(maxBlock, wb.blockSize(jy, jx));
                }
            }
        }
        if (inputRows * panelPerRow > Integer.MAX_VALUE - 2L * LANES
                || rowsPerTask * sumsPerRow > Integer.MAX_VALUE - 16 || maxBlock > Integer.MAX_VALUE - LANES) {
            throw new IllegalArgumentException("a task of " + geometry + " needs " + inputRows * panelPerRow
                    + " floats of packed input, " + rowsPerTask * sumsPerRow + " of sums and weight blocks of " + maxBlock
                    + ", more than a Java array holds");
        }
        this.rowBlocks = Math.ceilDiv(Math.max(1, maxRows), rowsPerTask);
    }

    @Override
    public Tile tile() {
        return new Tile(PIXELS, CHANNELS / LANES);
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * geometry.depth().out() * weights.groups * ys.phases * tasksPerPhase * rowBlocks;
    }

    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int rowBlock = (int) (task % rowBlocks);
        long rest = task / rowBlocks;
        int part = (int) (rest % tasksPerPhase);
        rest /= tasksPerPhase;
        int jy = (int) (rest % ys.phases);
        rest /= ys.phases;
        int row0 = rowBlock * rowsPerTask;
        int row1 = Math.min(row0 + rowsPerTask, ys.count(jy));
        if (row0 >= row1) {
            return;
        }
        int[] offY = ys.offsets[jy];
        int inH = geometry.height().in();
        int iy0 = 0;
        int iy1 = 0;
        if (offY.length > 0) {
            // Offsets fall with the tap index; only rows some tap reaches are packed.
            iy0 = Math.clamp(row0 + offY[offY.length - 1], 0, inH);
            iy1 = Math.clamp(row1 - 1 + offY[0] + 1, iy0, inH);
        }
        Workspace ws = Workspace.current();
        TaskCursor t = cursor(ws, (int) (rest / weights.groups), (int) (rest % weights.groups), blocks);
        t.fy = jy;
        t.gridRow0 = row0;
        t.gridRow1 = row1;
        t.inputRow0 = iy0;
        int b0 = part * blocksPerTask;
        int b1 = Math.min(b0 + blocksPerTask, blocksPerGroup);
        t.c0 = b0 * CHANNELS;
        t.c1 = Math.min(b1 * CHANNELS, weights.outPerGroup);
        MemorySegment panel = ws.panel((long) (iy1 - iy0) * t.inputs * panelWidth + LANES);
        packSlices(ws, in, t, iy0, iy1 - iy0, panelX, panelWidth, panel);
        int channels = (b1 - b0) * CHANNELS;
        for (int jx = 0; jx < xs.phases; jx++) {
            int groupsPerRow = Math.ceilDiv(xs.count(jx), PIXELS);
            float[] scratch = ws.scratch((row1 - row0) * groupsPerRow * PIXELS * channels);
            for (int b = b0; b < b1; b++) {
                sumBlock(ws, scratch, panel, t, jx, b, (b - b0) * CHANNELS, channels);
            }
            store(scratch, out, t, jx, groupsPerRow, channels);
        }
    }

    /**
     * Sums channel block {@code b} of x-phase {@code jx} for task {@code t}'s grid rows into
     * {@code scratch} at channel {@code c} of {@code channels} per pixel, over the panel's (depth
     * tap, input channel) pairs. Blocks are the outer loop so that one block of weights stays in
     * cache while every pixel group uses it.
     */
    private void sumBlock(Workspace ws, float[] scratch, MemorySegment panel, TaskCursor t, int jx, int b, int c,
            int channels) {
        int jy = t.fy;
        int row0 = t.gridRow0;
        int row1 = t.gridRow1;
        int iy0 = t.inputRow0;
        int inputs = t.inputs;
        WeightBlocks wb = t.blocks;
        int[] offY = ys.offsets[jy];
        int[] offX = xs.offsets[jx];
        int groupsPerRow = Math.ceilDiv(xs.count(jx), PIXELS);
        long block = wb.blockIndex(t.g, jy, jx, (long) b * HALVES) + (long) t.firstInput * PACKED;
        long half = wb.blockSize(jy, jx);
        // The group's last block may have one half only; its other lanes are never stored.
        int halves = Math.min(HALVES, Math.ceilDiv(weights.outPerGroup, PACKED) - b * HALVES);
        long[] vectorStarts = ws.vectorStarts(Math.max(1, offY.length * offX.length));
        long[] broadcastStarts = ws.broadcastStarts(Math.max(1, offY.length * offX.length));
        int inH = geometry.height().in();
        for (int qy = row0; qy < row1; ) {
            int[] ty = AxisPhases.reachingTaps(offY, qy, qy, inH, ws.rangeY);
            int y0 = ty[0];
            int y1 = ty[1];
            // Two grid rows reached by the same taps share each weight vector load (the paired tile).
            boolean paired = TileKernel.LARGE && qy + 1 < row1;
            if (paired) {
                int[] next = AxisPhases.reachingTaps(offY, qy + 1, qy + 1, inH, ws.rangeY);
                paired = next[0] == y0 && next[1] == y1;
            }
            for (int j = 0; j < groupsPerRow; j++) {
                int q0 = j * PIXELS;
                int[] tx = AxisPhases.reachingTaps(offX, q0, q0 + PIXELS - 1, geometry.width().in(), ws.rangeX);
                int segments = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = tx[0]; x < tx[1]; x++, segments++) {
                        broadcastStarts[segments] = (long) (qy + offY[y] - iy0) * inputs * panelWidth + q0 + offX[x]
                                - panelX;
                        vectorStarts[segments] = block + ((long) y * offX.length + x) * wb.channels * PACKED;
                    }
                }
                int pixel = ((qy - row0) * groupsPerRow + j) * PIXELS;
                int rows = paired ? TileKernel.PAIRED_BROADCASTS : PIXELS;
                for (int k = 0; k < rows; k++) {
                    ws.base[k] = (pixel + (k / PIXELS) * groupsPerRow * PIXELS + k % PIXELS) * channels + c;
                }
                if (segments == 0 || inputs == 0) {
                    TileKernel.storeZeros(scratch, ws.base, rows, TileKernel.VECTORS);
                } else if (paired) {
                    sumPairedTile(vectorStarts, broadcastStarts, ws.base, scratch, panel, wb, segments, inputs,
                            (long) inputs * panelWidth, half, halves);
                } else {
                    int v2 = halves > 1 ? (int) half : 0;  // the constructor checked that it fits
                    TileKernel.computeTile(wb.data, vectorStarts, PACKED, LANES, v2, v2 + LANES, panel,
                            broadcastStarts, panelWidth, segments, inputs, scratch, ws.base, false);
                }
            }
            qy += paired ? 2 : 1;
        }
    }

    /**
     * Runs the paired tile on each of the block's {@code halves} packed blocks ({@code half} elements
     * apart), for the 8 pixels at {@code base}, whose second 4 are one panel row ({@code rowPitch})
     * below. Moves {@code vectorStarts} and {@code base} on by a half each time.
     */
    private void sumPairedTile(long[] vectorStarts, long[] broadcastStarts, int[] base, float[] scratch,
            MemorySegment panel, WeightBlocks wb, int segments, int inputs, long rowPitch, long half, int halves) {
        for (int h = 0; h < halves; h++) {
            TileKernel.tile8x2(wb.data, vectorStarts, PACKED, LANES, panel, broadcastStarts, rowPitch, panelWidth,
                    segments, inputs, scratch, base);
            for (int s = 0; s < segments; s++) {
                vectorStarts[s] += half;
            }
            for (int k = 0; k < TileKernel.PAIRED_BROADCASTS; k++) {
                base[k] += PACKED;
            }
        }
    }

    /** Adds the bias, applies the epilogue and writes each of the phase's outputs once. */
    private void store(float[] scratch, MemorySegment out, TaskCursor t, int jx, int groupsPerRow, int channels) {
        int cFrom = t.c0;
        int cTo = t.c1;
        int colsQ = xs.count(jx);
        long plane = geometry.outputPlane();
        long biasBase = (long) t.g * weights.outPerGroup;
        for (int row = t.gridRow0; row < t.gridRow1; row++) {
            int oy = ys.output(t.fy, row);
            for (int col = 0; col < colsQ; col++) {
                int ox = xs.output(jx, col);
                int pixel = (row - t.gridRow0) * groupsPerRow * PIXELS + col;
                int s = pixel * channels - cFrom;
                for (int c = cFrom; c < cTo; c += LANES) {
                    FloatVector bias = FloatVector.fromArray(TileKernel.SPECIES, weights.biasLanes, (int) biasBase + c);
                    FloatVector.fromArray(TileKernel.SPECIES, scratch, s + c).add(bias).intoArray(scratch, s + c);
                }
                epilogue.applyTo(scratch, s + cFrom, s + cTo);
                long first = outputRow(t.n, (int) biasBase + cFrom, t.oz, oy) + ox;
                for (int c = cFrom; c < cTo; c++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, first + (c - cFrom) * plane, scratch[s + c]);
                }
            }
        }
    }
}
