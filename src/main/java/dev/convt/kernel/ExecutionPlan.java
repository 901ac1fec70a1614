package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A layer's work for one input shape: the phase-grid extents, the store pass's index maps and a
 * list of independent tasks, each writing a disjoint block of output rows for a block of output
 * channels. Made once per input shape; {@link #runTask} only computes.
 *
 * <p>A task sums its tiles into a per-thread scratch area ({@code [channel][x-residue][row][q]}),
 * then one store pass per output row adds the bias, applies the epilogue and interleaves the
 * x-residues into the output row.
 */
public final class ExecutionPlan {

    private static final VectorSpecies<Float> SPECIES = RowTileKernel.SPECIES;
    private static final int LANES = RowTileKernel.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Output channels per task: a multiple of the tile's rows, small enough that a block's weights stay in L2. */
    private static final int CHANNEL_BLOCK = 32;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final ConvTransposeGeometry geometry;
    private final PackedWeights weights;
    private final VectorEpilogue epilogue;
    private final int channelBlock;
    private final int channelBlocks;
    /** Chunks of {@link RowTileKernel#LANES} per tile row (1, 2 or 4) and phase rows per tile. */
    private final int cols;
    private final int tileRows;
    private final int qxMin;
    private final int qxPadded;
    private final int scratchSize;
    /** Per row block: y-residue, first phase-grid row, number of rows. */
    private final int[] blockRy;
    private final int[] blockQy;
    private final int[] blockRows;
    /** Store pass: scratch index (relative to a channel's row) of each output column. */
    private final int[] columnSource;

    private ExecutionPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        this.geometry = geometry;
        this.weights = weights;
        this.epilogue = VectorEpilogue.of(epilogue);
        ConvTransposeGeometry.Axis ax = geometry.width();
        ConvTransposeGeometry.Axis ay = geometry.height();
        int sx = ax.stride();
        this.qxMin = Math.floorDiv(ax.padBegin(), sx);
        int qxMax = Math.floorDiv(ax.out() - 1 + ax.padBegin(), sx);
        int width = qxMax - qxMin + 1;
        int chunks = Math.ceilDiv(width, LANES);
        this.cols = chunks >= 3 ? 4 : chunks;
        this.tileRows = RowTileKernel.VECTORS / cols;
        this.qxPadded = Math.ceilDiv(width, cols * LANES) * cols * LANES;
        this.channelBlock = Math.min(CHANNEL_BLOCK, Math.ceilDiv(weights.outPerGroup, RowTileKernel.ROWS) * RowTileKernel.ROWS);
        this.channelBlocks = Math.ceilDiv(weights.outPerGroup, channelBlock);
        this.scratchSize = (channelBlock * sx + 1) * tileRows * qxPadded;

        int sy = ay.stride();
        int[] ry = new int[ay.out()];
        int[] qy = new int[ay.out()];
        int[] rows = new int[ay.out()];
        int blocks = 0;
        for (int r = 0; r < sy; r++) {
            int firstOut = Math.floorMod(r - ay.padBegin(), sy);
            if (firstOut >= ay.out()) {
                continue;
            }
            int count = (ay.out() - 1 - firstOut) / sy + 1;
            int q0 = Math.floorDiv(firstOut + ay.padBegin(), sy);
            for (int i = 0; i < count; i += tileRows) {
                ry[blocks] = r;
                qy[blocks] = q0 + i;
                rows[blocks] = Math.min(tileRows, count - i);
                blocks++;
            }
        }
        this.blockRy = Arrays.copyOf(ry, blocks);
        this.blockQy = Arrays.copyOf(qy, blocks);
        this.blockRows = Arrays.copyOf(rows, blocks);

        int rxStride = tileRows * qxPadded;
        this.columnSource = new int[Math.ceilDiv(ax.out(), LANES) * LANES];
        for (int x = 0; x < ax.out(); x++) {
            int f = x + ax.padBegin();
            columnSource[x] = Math.floorMod(f, sx) * rxStride + Math.floorDiv(f, sx) - qxMin;
        }
    }

    /** Plans {@code geometry} for {@code weights}. */
    public static ExecutionPlan create(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        return new ExecutionPlan(geometry, weights, epilogue);
    }

    /** @return the geometry this plan was made for */
    public ConvTransposeGeometry geometry() {
        return geometry;
    }

    /** @return whether {@code input} has exactly the shape this plan was made for */
    public boolean matchesInput(Tensor input) {
        int rank = geometry.inputRank();
        if (input.rank() != rank) {
            return false;
        }
        return input.dim(0) == geometry.batch() && input.dim(1) == geometry.spec().inChannels()
                && (rank == 3 || input.dim(2) == geometry.height().in()) && input.dim(rank - 1) == geometry.width().in();
    }

    /** @return number of independent tasks */
    public int taskCount() {
        return geometry.batch() * geometry.spec().groups() * channelBlocks * blockRy.length;
    }

    /** Runs every task in order on the calling thread. */
    public void runAll(MemorySegment in, MemorySegment out) {
        for (int t = 0, n = taskCount(); t < n; t++) {
            runTask(t, in, out);
        }
    }

    /**
     * Computes task {@code task}: output rows of one row block, for one block of output channels of
     * one group of one image.
     */
    public void runTask(int task, MemorySegment in, MemorySegment out) {
        int block = task % blockRy.length;
        int rest = task / blockRy.length;
        int cb = rest % channelBlocks;
        rest /= channelBlocks;
        int groups = geometry.spec().groups();
        int g = rest % groups;
        int n = rest / groups;
        Workspace ws = WORKSPACE.get();
        float[] scratch = ws.scratch(scratchSize);
        int c0 = cb * channelBlock;
        int c1 = Math.min(c0 + channelBlock, weights.outPerGroup);
        int ry = blockRy[block];
        sumTiles(in, n, g, c0, c1, ry, blockQy[block], scratch, ws);
        storeRows(out, n, g, c0, c1, ry, blockQy[block], blockRows[block], scratch);
    }

    private void sumTiles(MemorySegment in, int n, int g, int c0, int c1, int ry, int qy0, float[] scratch,
            Workspace ws) {
        int[] rowBase = ws.rowBase;
        AxisPhases xs = weights.xs;
        int sx = xs.stride;
        int rxStride = tileRows * qxPadded;
        int[] offY = weights.ys.offsets[ry];
        boolean anyY = offY.length > 0;
        for (int rx = 0; rx < sx; rx++) {
            if (!anyY || xs.taps[rx].length == 0) {
                for (int c = c0; c < c1; c++) {
                    int from = ((c - c0) * sx + rx) * rxStride;
                    Arrays.fill(scratch, from, from + rxStride, 0f);
                }
            }
        }
        if (!anyY) {
            return;
        }
        int inH = geometry.height().in();
        int inW = geometry.width().in();
        long plane = (long) inH * inW;
        int cin = weights.inPerGroup;
        long channelBase = ((long) n * geometry.spec().inChannels() + (long) g * cin) * plane;
        int dummy = channelBlock * sx * rxStride;
        int tyLo = 0;
        while (tyLo < offY.length && !rowsTouchInput(qy0, offY[tyLo], inH)) {
            tyLo++;
        }
        int tyHi = offY.length;
        while (tyHi > tyLo && !rowsTouchInput(qy0, offY[tyHi - 1], inH)) {
            tyHi--;
        }
        int v1 = (1 / cols) * qxPadded + (1 % cols) * LANES;
        int v2 = (2 / cols) * qxPadded + (2 % cols) * LANES;
        int v3 = (3 / cols) * qxPadded + (3 % cols) * LANES;
        for (int f = 0; f < xs.families.length; f++) {
            int[] members = xs.families[f];
            int[] offX = xs.offsets[members[0]];
            int m = members.length;
            int rowEnd = c1 * m;
            int steps = (tyHi - tyLo) * offX.length * cin;
            float[] panel = ws.panel(Math.max(1, steps) * RowTileKernel.STEP);
            for (int q = 0; q < qxPadded; q += cols * LANES) {
                RowTileKernel.packPanel(in, channelBase, plane, cin, inH, inW, offY, tyLo, tyHi, offX, qy0, qxMin + q,
                        cols, panel);
                for (int tile = c0 * m / RowTileKernel.ROWS; tile * RowTileKernel.ROWS < rowEnd; tile++) {
                    for (int r = 0; r < RowTileKernel.ROWS; r++) {
                        int row = tile * RowTileKernel.ROWS + r;
                        rowBase[r] = q + (row < rowEnd ? ((row / m - c0) * sx + members[row % m]) * rxStride : dummy);
                    }
                    long wBase = weights.blockIndex(g, ry, f, tile)
                            + (long) tyLo * offX.length * cin * RowTileKernel.ROWS;
                    RowTileKernel.computeTile(panel, steps, weights.rowTiles, wBase, scratch, rowBase, v1, v2, v3);
                }
            }
        }
    }

    /** Whether phase rows {@code [qy0, qy0 + tileRows)} read any input row through y-offset {@code off}. */
    private boolean rowsTouchInput(int qy0, int off, int inH) {
        return qy0 + off < inH && qy0 + tileRows - 1 + off >= 0;
    }

    private void storeRows(MemorySegment out, int n, int g, int c0, int c1, int ry, int qy0, int rows,
            float[] scratch) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        int ow = geometry.width().out();
        int sx = weights.xs.stride;
        int rxStride = tileRows * qxPadded;
        long outPlane = (long) ay.out() * ow;
        for (int c = c0; c < c1; c++) {
            int co = g * weights.outPerGroup + c;
            float bias = weights.bias.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, co);
            long planeBase = ((long) n * geometry.spec().outChannels() + co) * outPlane;
            for (int dy = 0; dy < rows; dy++) {
                int oy = (qy0 + dy) * ay.stride() + ry - ay.padBegin();
                int source = (c - c0) * sx * rxStride + dy * qxPadded;
                storeRow(scratch, source, out, planeBase + (long) oy * ow, ow, bias);
            }
        }
    }

    /** Bias, epilogue and the x-residue interleave for one output row, one vector at a time. */
    private void storeRow(float[] scratch, int source, MemorySegment out, long rowStart, int ow, float bias) {
        for (int x = 0; x < ow; x += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, scratch, source, columnSource, x).add(bias);
            epilogue.apply(v).intoMemorySegment(out, (rowStart + x) * Float.BYTES, ORDER,
                    SPECIES.indexInRange(x, ow));
        }
    }

    /** Per-thread scratch, grown on demand and reused, so a call allocates nothing once warm. */
    private static final class Workspace {
        private float[] scratch = new float[0];
        private float[] panel = new float[0];
        final int[] rowBase = new int[RowTileKernel.ROWS];

        float[] scratch(int size) {
            if (scratch.length < size) {
                scratch = new float[size];
            }
            return scratch;
        }

        float[] panel(int size) {
            if (panel.length < size) {
                panel = new float[size];
            }
            return panel;
        }
    }
}
