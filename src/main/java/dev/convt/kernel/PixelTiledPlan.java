package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Vectors over output pixels: the plan for maps at least one vector wide.
 *
 * <p>A tile's vector operand is 4 vectors of phase-grid pixels (1 phase row x 4 chunks, 2 x 2 or
 * 4 x 1, whichever wastes fewer lanes on the grid's width); its broadcast operand is 4 rows
 * {@code (output channel, y-phase, x-phase)} of one pair of phase families, which all read the
 * same input pixels. So one packed panel serves every row of the family pair: the more channels
 * and phases, the more reuse.
 *
 * <p>A task is (image, group, y-family, block of grid rows, block of output channels). It sums
 * its tiles into scratch laid out {@code [channel][y-phase][x-phase][grid row][q]}; then a store
 * pass per output row adds the bias, applies the epilogue and interleaves the x-phases.
 */
final class PixelTiledPlan extends ExecutionPlan {

    private static final int LANES = TileKernel.LANES;
    private static final int ROWS = TileKernel.BROADCASTS;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Rows per task: enough tiles to reuse each packed panel, few enough for scratch to stay in L1/L2. */
    private static final int TARGET_ROWS = 128;

    private final WeightBlocks blocks;
    private final int[][] familiesY;
    private final int[][] familiesX;
    private final int cols;
    private final int tileRows;
    private final int qxPadded;
    private final int phaseStride;
    private final int channelBlock;
    private final int channelBlocks;
    private final int scratchSize;
    /** Per row block of an image and group: its y-family and first grid row. */
    private final int[] blockFamily;
    private final int[] blockQy;
    /** Store pass: scratch index, from a (channel, y-phase, grid row), of each output column. */
    private final int[] columnSource;

    PixelTiledPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.blocks = weights.blocks(geometry, false, ROWS);
        this.familiesY = blocks.familiesY;
        this.familiesX = blocks.familiesX;
        ConvTransposeGeometry.Axis ax = geometry.width();
        ConvTransposeGeometry.Axis ay = geometry.height();
        int sx = ax.stride();
        int sy = ay.stride();
        int width = Math.ceilDiv(ax.out(), sx);
        int chunks = Math.ceilDiv(width, LANES);
        this.cols = chunks >= 3 ? TileKernel.VECTORS : chunks;
        this.tileRows = TileKernel.VECTORS / cols;
        this.qxPadded = Math.ceilDiv(width, cols * LANES) * cols * LANES;
        this.phaseStride = tileRows * qxPadded;
        int perGroup = weights.outPerGroup;
        int wanted = Math.ceilDiv(Math.ceilDiv(TARGET_ROWS, sy * sx), ROWS) * ROWS;
        this.channelBlock = Math.min(perGroup, wanted);
        this.channelBlocks = Math.ceilDiv(perGroup, channelBlock);
        this.scratchSize = (channelBlock * sy * sx + 1) * phaseStride;

        int gridRows = Math.ceilDiv(ay.out(), sy);
        int perFamily = Math.ceilDiv(gridRows, tileRows);
        this.blockFamily = new int[familiesY.length * perFamily];
        this.blockQy = new int[blockFamily.length];
        for (int f = 0; f < familiesY.length; f++) {
            for (int b = 0; b < perFamily; b++) {
                blockFamily[f * perFamily + b] = f;
                blockQy[f * perFamily + b] = b * tileRows;
            }
        }

        this.columnSource = new int[Math.ceilDiv(ax.out(), LANES) * LANES];
        for (int x = 0; x < ax.out(); x++) {
            columnSource[x] = x % sx * phaseStride + x / sx;
        }
    }

    @Override
    public int taskCount() {
        return geometry.batch() * weights.groups * blockFamily.length * channelBlocks;
    }

    @Override
    public void runTask(int task, MemorySegment in, MemorySegment out) {
        int cb = task % channelBlocks;
        int rest = task / channelBlocks;
        int block = rest % blockFamily.length;
        rest /= blockFamily.length;
        int g = rest % weights.groups;
        int n = rest / weights.groups;
        Workspace ws = Workspace.current();
        float[] scratch = ws.scratch(scratchSize);
        int c0 = cb * channelBlock;
        int c1 = Math.min(c0 + channelBlock, weights.outPerGroup);
        sumTiles(ws, scratch, in, n, g, blockFamily[block], blockQy[block], c0, c1);
        storeRows(scratch, out, n, g, blockFamily[block], blockQy[block], c0, c1);
    }

    private void sumTiles(Workspace ws, float[] scratch, MemorySegment in, int n, int g, int fy, int qy0, int c0,
            int c1) {
        int inH = geometry.height().in();
        int cin = weights.inPerGroup;
        PanelPacker.Source src = ws.source.set(in, inputChannelBase(n, g), cin, inH, geometry.width().in());
        int[] offY = blocks.ys.offsets[familiesY[fy][0]];
        int tyLo = 0;
        while (tyLo < offY.length && !rowsReachInput(qy0, offY[tyLo], inH)) {
            tyLo++;
        }
        int tyHi = offY.length;
        while (tyHi > tyLo && !rowsReachInput(qy0, offY[tyHi - 1], inH)) {
            tyHi--;
        }
        int dummy = scratchSize - phaseStride;
        for (int fx = 0; fx < familiesX.length; fx++) {
            int[] offX = blocks.xs.offsets[familiesX[fx][0]];
            int rowsPerChannel = familiesY[fy].length * familiesX[fx].length;
            int rowEnd = c1 * rowsPerChannel;
            int steps = (tyHi - tyLo) * offX.length * cin;
            MemorySegment panel = ws.panel((long) steps * TileKernel.VECTOR_WIDTH);
            long skipTaps = (long) tyLo * offX.length * cin * ROWS;
            for (int q = 0; q < qxPadded; q += cols * LANES) {
                if (steps > 0) {
                    PanelPacker.packPixels(src, offY, tyLo, tyHi, offX, qy0, q, cols, panel);
                }
                for (int tile = c0 * rowsPerChannel / ROWS; tile * ROWS < rowEnd; tile++) {
                    for (int b = 0; b < ROWS; b++) {
                        int row = tile * ROWS + b;
                        ws.base[b] = q + (row < rowEnd ? scratchRow(row, fy, fx, c0) : dummy);
                    }
                    TileKernel.computeTile(panel, 0, 0, blocks.data, blocks.blockIndex(g, fy, fx, tile) + skipTaps, 1,
                            steps, scratch, ws.base);
                }
            }
        }
    }

    /** Whether phase rows {@code [qy0, qy0 + tileRows)} reach any input row through y-offset {@code off}. */
    private boolean rowsReachInput(int qy0, int off, int inH) {
        return qy0 + off < inH && qy0 + tileRows - 1 + off >= 0;
    }

    /** @return scratch index of family row {@code row}: (channel, y-phase, x-phase) */
    private int scratchRow(int row, int fy, int fx, int c0) {
        int[] ys = familiesY[fy];
        int[] xs = familiesX[fx];
        int channel = row / (ys.length * xs.length) - c0;
        int jy = ys[row / xs.length % ys.length];
        int jx = xs[row % xs.length];
        return ((channel * geometry.height().stride() + jy) * geometry.width().stride() + jx) * phaseStride;
    }

    private void storeRows(float[] scratch, MemorySegment out, int n, int g, int fy, int qy0, int c0, int c1) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        int sx = geometry.width().stride();
        for (int c = c0; c < c1; c++) {
            int co = g * weights.outPerGroup + c;
            float bias = weights.bias.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, co);
            for (int jy : familiesY[fy]) {
                for (int dy = 0; dy < tileRows; dy++) {
                    int oy = (qy0 + dy) * ay.stride() + jy;
                    if (oy < ay.out()) {
                        int source = ((c - c0) * ay.stride() + jy) * sx * phaseStride + dy * qxPadded;
                        storeRow(scratch, source, out, outputRow(n, co, oy), bias);
                    }
                }
            }
        }
    }

    /** Bias, epilogue and the x-phase interleave for one output row, one vector at a time. */
    private void storeRow(float[] scratch, int source, MemorySegment out, long rowStart, float bias) {
        int ow = geometry.width().out();
        for (int x = 0; x < ow; x += LANES) {
            FloatVector v = FloatVector.fromArray(TileKernel.SPECIES, scratch, source, columnSource, x).add(bias);
            epilogue.apply(v).intoMemorySegment(out, (rowStart + x) * Float.BYTES, ORDER,
                    TileKernel.SPECIES.indexInRange(x, ow));
        }
    }
}
