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
 * vectors); its broadcast operand is 4 neighbouring pixels of that phase's grid.
 * Each group of 4 pixels is packed with only the taps that reach the image for it, so a 1x1 input
 * (one tap per output pixel) costs little more than the products that matter.
 *
 * <p>A task is (image, group, phase, block of output channels): it packs its phase's pixels once,
 * sums every (channel block, pixel group) tile into scratch {@code [pixel][channel]}, then writes
 * each output element once, in place (the phase's outputs are every stride-th pixel).
 */
final class ChannelTiledPlan extends ExecutionPlan {

    private static final int LANES = TileKernel.LANES;
    private static final int PIXELS = TileKernel.BROADCASTS;
    private static final int CHANNELS = TileKernel.VECTOR_WIDTH;
    /** Tasks per image and group: enough to share among threads, few enough that panels are reused. */
    private static final int TARGET_TASKS = 4;
    /** Floats of packed input and of sums a task may use: about 1 MiB each, L2-sized. */
    private static final long PANEL_BUDGET = 1L << 18;
    private static final long SCRATCH_BUDGET = 1L << 18;
    /** Per pixel group in the workspace table: panel offset, first y-tap, y-taps, first x-tap, x-taps. */
    private static final int TABLE = 5;

    private final AxisPhases ys;
    private final AxisPhases xs;
    private final WeightBlocks blocks;
    private final int blocksPerGroup;
    private final int blocksPerTask;
    private final int tasksPerPhase;
    private final int phases;
    /** Grid rows per task, so a task's packed input and sums stay bounded for any map height. */
    private final int rowsPerTask;
    private final int rowBlocks;

    ChannelTiledPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.ys = AxisPhases.of(geometry.height(), false);
        this.xs = AxisPhases.of(geometry.width(), false);
        this.blocks = weights.blocks(ys, xs, true, CHANNELS);
        this.phases = ys.phases * xs.phases;
        this.blocksPerGroup = Math.ceilDiv(weights.outPerGroup, CHANNELS);
        int parts = Math.min(blocksPerGroup, Math.ceilDiv(TARGET_TASKS, phases));
        this.blocksPerTask = Math.ceilDiv(blocksPerGroup, parts);
        this.tasksPerPhase = Math.ceilDiv(blocksPerGroup, blocksPerTask);
        int maxRows = 0;
        int maxTapsY = 0;
        for (int j = 0; j < ys.phases; j++) {
            maxRows = Math.max(maxRows, ys.count(j));
            maxTapsY = Math.max(maxTapsY, ys.taps[j].length);
        }
        long maxGroups = 0;
        int maxTapsX = 0;
        for (int j = 0; j < xs.phases; j++) {
            maxGroups = Math.max(maxGroups, Math.ceilDiv(xs.count(j), PIXELS));
            maxTapsX = Math.max(maxTapsX, xs.taps[j].length);
        }
        long panelPerRow = maxGroups * Math.max(1, maxTapsY) * Math.max(1, maxTapsX) * weights.inPerGroup * PIXELS;
        long sumsPerRow = maxGroups * PIXELS * (long) blocksPerTask * CHANNELS;
        long rows = Math.min(PANEL_BUDGET / panelPerRow, SCRATCH_BUDGET / sumsPerRow);
        this.rowsPerTask = (int) Math.clamp(rows, 1, Math.max(1, maxRows));
        if (rowsPerTask * panelPerRow > Integer.MAX_VALUE - 16 || rowsPerTask * sumsPerRow > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("one output row of " + geometry + " needs " + panelPerRow
                    + " floats of packed input and " + sumsPerRow + " of sums, more than a Java array holds");
        }
        this.rowBlocks = Math.ceilDiv(Math.max(1, maxRows), rowsPerTask);
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * weights.groups * phases * tasksPerPhase * rowBlocks;
    }

    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int rowBlock = (int) (task % rowBlocks);
        long rest = task / rowBlocks;
        int part = (int) (rest % tasksPerPhase);
        rest /= tasksPerPhase;
        int phase = (int) (rest % phases);
        rest /= phases;
        int g = (int) (rest % weights.groups);
        int n = (int) (rest / weights.groups);
        int ry = phase / xs.phases;
        int rx = phase % xs.phases;
        int row0 = rowBlock * rowsPerTask;
        int row1 = Math.min(row0 + rowsPerTask, ys.count(ry));
        int colsQ = xs.count(rx);
        if (row0 >= row1) {
            return;
        }
        int b0 = part * blocksPerTask;
        int b1 = Math.min(b0 + blocksPerTask, blocksPerGroup);
        int groupsPerRow = Math.ceilDiv(colsQ, PIXELS);
        int pixelGroups = (row1 - row0) * groupsPerRow;
        Workspace ws = Workspace.current();
        int[] table = ws.table(pixelGroups * TABLE);
        MemorySegment panel = pack(ws, table, in, n, g, ry, rx, row0, row1, colsQ, groupsPerRow);
        int channels = (b1 - b0) * CHANNELS;
        float[] scratch = ws.scratch(pixelGroups * PIXELS * channels);
        int cin = weights.inPerGroup;
        int ntxAll = xs.offsets[rx].length;
        for (int b = b0; b < b1; b++) {
            long block = blocks.blockIndex(g, ry, rx, b);
            for (int p = 0; p < pixelGroups; p++) {
                int at = table[p * TABLE];
                int tyLo = table[p * TABLE + 1];
                int nty = table[p * TABLE + 2];
                int txLo = table[p * TABLE + 3];
                int ntx = table[p * TABLE + 4];
                for (int k = 0; k < PIXELS; k++) {
                    ws.base[k] = (p * PIXELS + k) * channels + (b - b0) * CHANNELS;
                }
                if (nty == 0 || ntx == 0) {
                    TileKernel.storeZeros(scratch, ws.base);
                    continue;
                }
                long[] segments = ws.segments(nty);
                for (int ty = 0; ty < nty; ty++) {
                    segments[ty] = block + ((long) (tyLo + ty) * ntxAll + txLo) * cin * CHANNELS;
                }
                TileKernel.computeTile(blocks.data, segments, nty, ntx * cin, CHANNELS, LANES, 2 * LANES, 3 * LANES,
                        panel, at, scratch, ws.base);
            }
        }
        store(scratch, out, n, g, ry, rx, row0, row1, colsQ, groupsPerRow, b0 * CHANNELS,
                Math.min(b1 * CHANNELS, weights.outPerGroup), channels, ws.spill);
    }

    /** Packs every pixel group of the phase with just the taps that reach the image for it. */
    private MemorySegment pack(Workspace ws, int[] table, MemorySegment in, int n, int g, int ry, int rx, int row0,
            int row1, int colsQ, int groupsPerRow) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        int[] offY = ys.offsets[ry];
        int[] offX = xs.offsets[rx];
        int cin = weights.inPerGroup;
        PanelPacker.Source src = ws.source.set(in, inputChannelBase(n, g), cin, ay.in(), ax.in());
        MemorySegment panel = ws.panel((long) (row1 - row0) * groupsPerRow * offY.length * offX.length * cin * PIXELS);
        long at = 0;
        for (int qy = row0; qy < row1; qy++) {
            int[] ty = AxisPhases.reachingTaps(offY, qy, qy, ay.in(), ws.rangeY);
            for (int j = 0; j < groupsPerRow; j++) {
                int qs = j * PIXELS;
                int qe = Math.min(qs + PIXELS, colsQ) - 1;
                int[] tx = AxisPhases.reachingTaps(offX, qs, qe, ax.in(), ws.rangeX);
                int e = ((qy - row0) * groupsPerRow + j) * TABLE;
                table[e] = (int) at;
                table[e + 1] = ty[0];
                table[e + 2] = ty[1] - ty[0];
                table[e + 3] = tx[0];
                table[e + 4] = tx[1] - tx[0];
                at += PanelPacker.packQuad(src, offY, ty[0], ty[1], offX, tx[0], tx[1], qy, qs, panel, at);
            }
        }
        return panel;
    }

    /** Adds the bias, applies the epilogue and writes each of the phase's outputs once. */
    private void store(float[] scratch, MemorySegment out, int n, int g, int ry, int rx, int row0, int row1, int colsQ,
            int groupsPerRow, int cFrom, int cTo, int channels, float[] spill) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        long plane = (long) ay.out() * ax.out();
        long biasBase = (long) g * weights.outPerGroup;
        for (int row = row0; row < row1; row++) {
            int oy = row * ay.stride() + ry;
            for (int col = 0; col < colsQ; col++) {
                int ox = col * ax.stride() + rx;
                int pixel = (row - row0) * groupsPerRow * PIXELS + col;
                int s = pixel * channels - cFrom;
                for (int c = cFrom; c < cTo; c += LANES) {
                    FloatVector bias = TileKernel.loadLanes(weights.bias, (biasBase + c) * Float.BYTES,
                            TileKernel.laneBits(c, cTo), spill);
                    epilogue.apply(FloatVector.fromArray(TileKernel.SPECIES, scratch, s + c).add(bias))
                            .intoArray(scratch, s + c);
                }
                long first = outputRow(n, (int) biasBase + cFrom, oy) + ox;
                for (int c = cFrom; c < cTo; c++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, first + (c - cFrom) * plane, scratch[s + c]);
                }
            }
        }
    }
}
