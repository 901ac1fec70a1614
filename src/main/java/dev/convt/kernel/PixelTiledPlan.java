package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.internal.Shapes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * <p>{@link PixelTiledLayout} chooses the tile, families, blocks and task table once per input
 * shape; the plan runs it.
 *
 * <p>A task is (image, output depth slice, group, y-family, block of grid rows, block of grid
 * columns, block of output channels). Its rows (channel x phase) number about
 * {@link PixelTiledLayout#TARGET_ROWS}; when the layer has fewer,
 * the block of grid rows grows instead, so that each packed panel still serves as many tiles. It
 * sums its tiles into scratch, one region per row {@code (channel, y-phase, x-phase)} holding the
 * block's grid rows back to back; then a store pass per output row adds the bias, applies the
 * epilogue and interleaves the x-phases.
 *
 * Phases that no kernel tap reaches (huge strides) take no scratch: x-phases without taps share one
 * zeroed region, and y-families without taps are written as bias directly.
 */
final class PixelTiledPlan extends ExecutionPlan {

    private static final int LANES = TileKernel.LANES;
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Two-table indices interleaving lanes {@code 0..L/2-1} (and {@code L/2..L-1}) of two phase rows. */
    private static final FloatVector ZIP_LOW = zipIndices(0);
    private static final FloatVector ZIP_HIGH = zipIndices(LANES / 2);

    private final PixelTiledLayout layout;
    /** Per depth phase: its blocks, whose channels are (depth tap, input channel). */
    private final WeightBlocks[] blocks;

    PixelTiledPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.layout = PixelTiledLayout.choose(geometry, sliceChannels);
        this.blocks = new WeightBlocks[zs.phases];
        for (int jz = 0; jz < zs.phases; jz++) {
            blocks[jz] = weights.blocks(zs.taps[jz], layout.ys, layout.xs, false, layout.tileRows);
        }
    }

    private static FloatVector zipIndices(int from) {
        float[] index = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            index[l] = from + l / 2 + (l % 2) * LANES;
        }
        return FloatVector.fromArray(TileKernel.SPECIES, index, 0);
    }

    /** {@return the plan and its tile, such as "PixelTiledPlan 3x6"} */
    @Override
    public String toString() {
        return "PixelTiledPlan " + layout.tileRows + "x" + layout.tileVectors;
    }

    @Override
    public Tile tile() {
        return new Tile(layout.tileRows, layout.tileVectors);
    }

    @Override
    public long taskCount() {
        return layout.tasks;
    }

    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int cb = (int) (task % layout.channelBlocks);
        long rest = task / layout.channelBlocks;
        int column = (int) (rest % layout.columnBlocks);
        rest /= layout.columnBlocks;
        int block = (int) (rest % layout.blockFamily.length);
        rest /= layout.blockFamily.length;
        Workspace ws = Workspace.current();
        TaskCursor t = cursor(ws, (int) (rest / weights.groups), (int) (rest % weights.groups), blocks);
        t.c0 = cb * layout.channelBlock;
        t.c1 = Math.min(t.c0 + layout.channelBlock, weights.outPerGroup);
        t.fy = layout.blockFamily[block];
        t.gridRow0 = layout.blockRow[block];
        t.column = column;
        if (layout.ys.offsets[layout.familiesY[t.fy][0]].length == 0 || t.inputs == 0) {
            storeBias(out, t, ws);
            return;
        }
        float[] scratch = ws.scratch(layout.scratchSize);
        sumTiles(ws, scratch, in, t);
        storeRows(scratch, out, t, ws);
    }

    /**
     * Sums task {@code t}'s tiles over its depth taps, whose input slices the window holds as
     * consecutive runs of input channels.
     */
    private void sumTiles(Workspace ws, float[] scratch, MemorySegment in, TaskCursor t) {
        int inH = geometry.height().in();
        int g = t.g;
        int fy = t.fy;
        int gridRow0 = t.gridRow0;
        int c0 = t.c0;
        int c1 = t.c1;
        WeightBlocks wb = t.blocks;
        int channels = t.inputs;
        int firstChannel = t.firstInput;
        int[] offY = layout.ys.offsets[layout.familiesY[fy][0]];
        int gy0 = layout.gridStartY[fy] + gridRow0;
        int minY = offY[offY.length - 1];
        int windowRows = layout.blockRows + offY[0] - minY;
        int width = layout.windowWidth;
        int windowRowPitch = channels * width;
        MemorySegment window = ws.panel((long) windowRows * windowRowPitch + LANES);
        packSlices(ws, in, t, gy0 + minY, windowRows, layout.windowStart + t.column * layout.blockChunks * LANES, width,
                window);
        if (layout.zeroSlot) {
            for (int weightRow = 0; weightRow < (c1 - c0) * layout.familiesY[fy].length; weightRow++) {
                int at = (weightRow * layout.xSlots + layout.xSlots - 1) * layout.region;
                Arrays.fill(scratch, at, at + layout.region, 0f);
            }
        }
        int dummy = layout.scratchSize - layout.region;
        for (int fx = 0; fx < layout.familiesX.length; fx++) {
            int[] offX = layout.xs.offsets[layout.familiesX[fx][0]];
            if (offX.length == 0) {
                continue;
            }
            int weightRowsPerChannel = layout.familiesY[fy].length * layout.familiesX[fx].length;
            int weightRowEnd = c1 * weightRowsPerChannel;
            int firstTile = c0 * weightRowsPerChannel / layout.tileRows;
            int tileRowCount = Math.ceilDiv(weightRowEnd - firstTile * layout.tileRows, layout.tileRows)
                    * layout.tileRows;
            int[] regions = ws.rowRegions(tileRowCount);
            layout.scratchRows(fy, fx, c0, weightRowEnd, dummy, regions, tileRowCount);
            int vectors = layout.blockRows * layout.chunks[fx];
            for (int v0 = 0; v0 < vectors; v0 += layout.tileVectors) {
                // A tile reaching past the block's vectors repeats its last one; the scratch region has room.
                int last = Math.min(v0 + layout.tileVectors, vectors) - 1;
                int dyLo = v0 / layout.chunks[fx];
                int dyHi = last / layout.chunks[fx];
                int[] reach = AxisPhases.reachingTaps(offY, gy0 + dyLo, gy0 + dyHi, inH, ws.rangeY);
                int tyLo = reach[0];
                int tyHi = reach[1];
                int first = layout.vectorStart(v0, fx, windowRowPitch);
                long[] vectorStarts = ws.vectorStarts(Math.max(1, (tyHi - tyLo) * offX.length));
                int count = 0;
                for (int ty = tyLo; ty < tyHi; ty++) {
                    for (int tx = 0; tx < offX.length; tx++) {
                        vectorStarts[count++] = first + (long) (offY[ty] - minY) * windowRowPitch + offX[tx]
                                - layout.windowStart;
                    }
                }
                long skipTaps = (long) tyLo * offX.length * wb.channels * layout.tileRows;
                long[] broadcastStarts = ws.broadcastStarts(count);
                long[] runStarts = ws.runStarts(count);
                int[] offsets = ws.vectorOffsets;
                for (int v = 1; v < layout.tileVectors; v++) {
                    offsets[v] = layout.vectorStart(Math.min(v0 + v, last), fx, windowRowPitch) - first;
                }
                int run = PixelTiledLayout.runLength(count, channels, layout.tileRows);
                for (int ci = 0; ci < channels; ci += run) {
                    int steps = Math.min(run, channels - ci);
                    for (int s = 0; s < count; s++) {
                        runStarts[s] = vectorStarts[s] + (long) ci * width;
                    }
                    for (int tile = firstTile; tile * layout.tileRows < weightRowEnd; tile++) {
                        for (int b = 0; b < layout.tileRows; b++) {
                            ws.base[b] = v0 * LANES + regions[(tile - firstTile) * layout.tileRows + b];
                        }
                        if (count == 0) {
                            TileKernel.storeZeros(scratch, ws.base, layout.tileRows, layout.tileVectors);
                            continue;
                        }
                        long weightsAt = wb.blockIndex(g, fy, fx, tile) + skipTaps + (long) (firstChannel + ci) * layout.tileRows;
                        for (int s = 0; s < count; s++) {
                            broadcastStarts[s] = weightsAt + (long) s * wb.channels * layout.tileRows;
                        }
                        if (layout.tileRows == TileKernel.BROADCASTS) {
                            TileKernel.computeTile(window, runStarts, width, offsets[1], offsets[2], offsets[3],
                                    wb.data, broadcastStarts, layout.tileRows, count, steps, scratch, ws.base, ci > 0);
                            continue;
                        }
                        // The wide and narrow tiles continue the sums in scratch, one segment per call.
                        if (ci == 0) {
                            TileKernel.storeZeros(scratch, ws.base, layout.tileRows, layout.tileVectors);
                        }
                        for (int sg = 0; sg < count; sg++) {
                            if (layout.tileRows == TileKernel.WIDE_BROADCASTS) {
                                TileKernel.computeWideTile(window, runStarts[sg], width, offsets[1], offsets[2],
                                        offsets[3], wb.data, broadcastStarts[sg], layout.tileRows, steps, scratch, ws.base);
                            } else {
                                TileKernel.computeNarrowTile(window, runStarts[sg], width, offsets, wb.data,
                                        broadcastStarts[sg], steps, scratch, ws.base);
                            }
                        }
                    }
                }
            }
        }
    }



    private void storeRows(float[] scratch, MemorySegment out, TaskCursor t, Workspace ws) {
        int fy = t.fy;
        int gridRow0 = t.gridRow0;
        int c0 = t.c0;
        int[] py = layout.familiesY[fy];
        for (int c = c0; c < t.c1; c++) {
            int co = t.g * weights.outPerGroup + c;
            float bias = weights.biasLanes[co];
            for (int phaseY = 0; phaseY < py.length; phaseY++) {
                int jy = py[phaseY];
                for (int dy = 0; dy < layout.blockRows; dy++) {
                    int q = layout.gridStartY[fy] + gridRow0 + dy - layout.ys.shift[jy];
                    if (q >= 0 && q < layout.ys.count(jy)) {
                        int source = ((c - c0) * py.length + phaseY) * layout.xSlots * layout.region;
                        storeRow(scratch, source, layout.columnSource[dy], out,
                                outputRow(t.n, co, t.oz, layout.ys.output(jy, q)), t.column * layout.blockColumns, bias,
                                ws);
                    }
                }
            }
        }
    }

    /**
     * The outputs of a y-family (or depth slice) that no kernel tap reaches: the epilogue of {@code +0 + bias} (+0
     * for a bias of -0, as the definition's sum gives), written without scratch.
     */
    private void storeBias(MemorySegment out, TaskCursor t, Workspace ws) {
        int fy = t.fy;
        int x0 = t.column * layout.blockColumns;
        int x1 = Math.min(x0 + layout.blockColumns, geometry.width().out());
        float[] row = ws.row(Math.ceilDiv(x1 - x0, LANES) * LANES);
        for (int c = t.c0; c < t.c1; c++) {
            int co = t.g * weights.outPerGroup + c;
            Arrays.fill(row, 0, x1 - x0, weights.biasLanes[co] + 0f);
            epilogue.applyTo(row, 0, x1 - x0);
            for (int jy : layout.familiesY[fy]) {
                for (int dy = 0; dy < layout.blockRows; dy++) {
                    int q = layout.gridStartY[fy] + t.gridRow0 + dy - layout.ys.shift[jy];
                    if (q >= 0 && q < layout.ys.count(jy)) {
                        long rowStart = outputRow(t.n, co, t.oz, layout.ys.output(jy, q));
                        copyOut(row, x1 - x0, out, (rowStart + x0) * Float.BYTES);
                    }
                }
            }
        }
    }

    /**
     * Bias, the x-phase interleave and the epilogue for one output row, assembled in a row buffer
     * and then copied out whole. Stride 1 needs no interleave; stride 2 interleaves two phase rows
     * with a two-table permute (one vector from each phase gives two output vectors); other strides
     * gather through the column map. No vector is passed to a method here: one C2 does not inline
     * (as happens in a JVM whose profiles other code has shaped) would box it on every call.
     */
    private void storeRow(float[] scratch, int source, int[] columns, MemorySegment out, long rowStart, int x0,
            float bias, Workspace ws) {
        int ow = Math.min(x0 + layout.blockColumns, geometry.width().out()) - x0;
        float[] row = ws.row(Math.ceilDiv(ow, 2 * LANES) * 2 * LANES);
        switch (geometry.width().stride()) {
            case 1 -> {
                for (int x = 0; x < ow; x += LANES) {
                    FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[0] + x).add(bias)
                            .intoArray(row, x);
                }
            }
            case 2 -> {
                for (int x = 0; x < ow; x += 2 * LANES) {
                    FloatVector even = FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[x]);
                    FloatVector odd = FloatVector.fromArray(TileKernel.SPECIES, scratch, source + columns[x + 1]);
                    ZIP_LOW.selectFrom(even, odd).add(bias).intoArray(row, x);
                    ZIP_HIGH.selectFrom(even, odd).add(bias).intoArray(row, x + LANES);
                }
            }
            default -> {
                for (int x = 0; x < ow; x += LANES) {
                    FloatVector.fromArray(TileKernel.SPECIES, scratch, source, columns, x).add(bias).intoArray(row, x);
                }
            }
        }
        epilogue.applyTo(row, 0, ow);
        copyOut(row, ow, out, (rowStart + x0) * Float.BYTES);
    }

    /**
     * Writes {@code row[0, count)} to {@code out} from {@code at} on: whole vectors, the last one
     * masked, all inline (MemorySegment.copy's per-call checks cost 5-15% on layers of short rows);
     * only a last vector that would reach past the tensor goes through {@code MemorySegment.copy}.
     */
    private static void copyOut(float[] row, int count, MemorySegment out, long at) {
        int x = 0;
        for (; x <= count - LANES; x += LANES) {
            FloatVector.fromArray(TileKernel.SPECIES, row, x).intoMemorySegment(out, at + (long) x * Float.BYTES, ORDER);
        }
        if (x < count) {
            long tail = at + (long) x * Float.BYTES;
            if (tail <= out.byteSize() - VECTOR_BYTES) {
                FloatVector.fromArray(TileKernel.SPECIES, row, x).intoMemorySegment(out, tail, ORDER,
                        TileKernel.SPECIES.indexInRange(x, count));
            } else {
                MemorySegment.copy(row, x, out, ValueLayout.JAVA_FLOAT_UNALIGNED, tail, count - x);
            }
        }
    }
}
