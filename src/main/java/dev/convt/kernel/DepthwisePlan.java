package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise layers (one input channel per group), whose tiles elsewhere would have a handful of
 * steps and spend their time storing. Here each output vector is computed in place: when the
 * stride divides the vector length, a vector of outputs covers whole stride periods, so lane
 * {@code l} always has x-phase {@code l mod stride}. Per kernel tap the plan loads one input
 * vector, spreads it over the phases with a fixed {@code rearrange} (lane {@code l} reads grid
 * index {@code l div stride} plus its phase's offset), and multiplies by a per-lane weight vector
 * made at plan time. Outputs are written once, contiguously, with bias and epilogue.
 *
 * <p>Summation order per output: the bias (+0 for a bias of -0), then taps by (y-tap, x-tap).
 */
final class DepthwisePlan extends ExecutionPlan {

    private static final VectorSpecies<Float> SPECIES = TileKernel.SPECIES;
    private static final int LANES = TileKernel.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;
    /** Output rows per task. */
    private static final int ROWS_PER_TASK = 16;

    private final AxisPhases ys;
    private final AxisPhases xs;
    private final int tapsX;
    private final int tapsY;
    /** Per x-tap slot: the lane each output lane reads from the loaded vector, and that vector's start. */
    private final int[] shuffles;
    private final VectorShuffle<Float>[] spread;
    private final int[] loadOffset;
    /** {@code [channel][y-phase][y-tap][x-tap slot][lane]} weights, zero where a phase has fewer taps. */
    private final MemorySegment laneWeights;
    private final int channels;
    private final int rowBlocks;
    /** The hot loops' sizes, read once: input and output width, input columns per output vector, vectors per row. */
    private final int inW;
    private final int ow;
    private final int perVector;
    private final int rowVectors;

    /**
     * Whether this plan applies: a 1-D or 2-D layer, one input channel per group, a stride that divides the vector
     * length and at most the output width (so every lane's phase exists), the same number of taps
     * in every x-phase (a lane of a phase with fewer taps would multiply its input by a zero
     * weight, and 0 * inf is NaN where the definition has no product at all), and taps whose lanes
     * fit in one loaded vector (so one rearrange spreads them).
     */
    static boolean fits(ConvTransposeGeometry geometry, PackedWeights weights) {
        ConvTransposeGeometry.Axis ax = geometry.width();
        if (geometry.axes().size() == 3 || weights.inPerGroup != 1 || LANES % ax.stride() != 0 || ax.out() < ax.stride()) {
            return false;
        }
        AxisPhases xs = AxisPhases.of(ax, false);
        return xs.uniformTaps() && reachFits(xs);
    }

    DepthwisePlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        this.ys = AxisPhases.of(ay, false);
        this.xs = AxisPhases.of(ax, false);
        int sx = ax.stride();
        int sy = ay.stride();
        int nx = 0;
        for (int[] t : xs.taps) {
            nx = Math.max(nx, t.length);
        }
        int ny = 0;
        for (int[] t : ys.taps) {
            ny = Math.max(ny, t.length);
        }
        this.tapsX = nx;
        this.tapsY = ny;
        this.shuffles = new int[nx * LANES];
        this.loadOffset = new int[nx];
        for (int t = 0; t < nx; t++) {
            int lowest = Integer.MAX_VALUE;
            for (int l = 0; l < LANES; l++) {
                lowest = Math.min(lowest, l / sx + offset(l % sx, t));
            }
            loadOffset[t] = lowest;
            for (int l = 0; l < LANES; l++) {
                shuffles[t * LANES + l] = l / sx + offset(l % sx, t) - lowest;
            }
        }
        this.channels = geometry.spec().outChannels();
        // Derived per plan and freed with it by the GC; the layer's arena holds only what layers share.
        this.laneWeights = Arena.ofAuto().allocate((long) channels * ys.phases * ny * nx * LANES * Float.BYTES,
                Tensor.ALIGNMENT);
        for (int c = 0; c < channels; c++) {
            int g = c / weights.outPerGroup;
            int col = c % weights.outPerGroup;
            for (int jy = 0; jy < ys.phases; jy++) {
                for (int ty = 0; ty < ys.taps[jy].length; ty++) {
                    for (int tx = 0; tx < nx; tx++) {
                        for (int l = 0; l < LANES; l++) {
                            int jx = l % sx;
                            float w = tx < xs.taps[jx].length
                                    ? weights.weight(g, col, 0, ys.taps[jy][ty], xs.taps[jx][tx]) : 0f;
                            laneWeights.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED,
                                    weightIndex(c, jy, ty, tx) + l, w);
                        }
                    }
                }
            }
        }
        this.rowBlocks = Math.ceilDiv(ay.out(), ROWS_PER_TASK);
        this.inW = ax.in();
        this.ow = ax.out();
        this.perVector = LANES / sx;
        this.rowVectors = Math.ceilDiv(ow, LANES);
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[] s = (VectorShuffle<Float>[]) new VectorShuffle<?>[nx];
        for (int t = 0; t < nx; t++) {
            s[t] = VectorShuffle.fromArray(SPECIES, shuffles, t * LANES);
        }
        this.spread = s;
    }

    private static boolean reachFits(AxisPhases xs) {
        for (int t = 0; t < xs.taps[0].length; t++) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int l = 0; l < LANES; l++) {
                int o = xs.gridIndex(l) + xs.offsets[xs.phase(l)][t];
                lo = Math.min(lo, o);
                hi = Math.max(hi, o);
            }
            if (hi - lo >= LANES) {
                return false;
            }
        }
        return true;
    }

    /** Input offset of x-tap slot {@code t} of phase {@code jx}; slots past a phase's taps read offset 0 (weight 0). */
    private int offset(int jx, int t) {
        return t < xs.offsets[jx].length ? xs.offsets[jx][t] : 0;
    }

    private long weightIndex(int c, int jy, int ty, int tx) {
        return ((((long) c * ys.phases + jy) * tapsY + ty) * tapsX + tx) * LANES;
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * channels * rowBlocks;
    }

    /** Output rows {@code [outputRow0, outputRow1)} of channel {@code c0} of group {@code g} of image {@code n}. */
    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int block = (int) (task % rowBlocks);
        long rest = task / rowBlocks;
        int c = (int) (rest % channels);
        Workspace ws = Workspace.current();
        TaskCursor t = cursor(ws, (int) (rest / channels), c / weights.outPerGroup);
        t.c0 = c % weights.outPerGroup;
        t.c1 = t.c0 + 1;
        t.outputRow0 = block * ROWS_PER_TASK;
        t.outputRow1 = Math.min(geometry.height().out(), t.outputRow0 + ROWS_PER_TASK);
        float[] sums = ws.scratch((t.outputRow1 - t.outputRow0) * rowVectors * LANES);
        sumRows(in, t, sums, ws.spill);
        storeRows(sums, out, t);
    }

    /**
     * Sums task {@code t}'s output rows into {@code sums}, one row of whole vectors after another,
     * tap by tap: the innermost loop runs along the row with the tap's weights, shuffle and input
     * row fixed, so the compiler hoists the memory-access checks out of it.
     */
    private void sumRows(MemorySegment in, TaskCursor t, float[] sums, float[] spill) {
        int inH = geometry.height().in();
        int c = t.g * weights.outPerGroup + t.c0;
        long plane = inputChannelBase(t.n, t.g);
        // A bias of -0 would keep a sum of zero products at -0; the definition's sum starts at +0
        // and then adds the bias, which gives +0 (see ExecutionPlan on the sign of zero).
        FloatVector start = FloatVector.broadcast(SPECIES, weights.biasLanes[c] + 0f);
        for (int oy = t.outputRow0; oy < t.outputRow1; oy++) {
            int at = (oy - t.outputRow0) * rowVectors * LANES;
            for (int x = 0; x < ow; x += LANES) {
                start.intoArray(sums, at + x);
            }
            int jy = ys.phase(oy);
            int qy = ys.gridIndex(oy);
            int[] offY = ys.offsets[jy];
            for (int ty = 0; ty < offY.length; ty++) {
                int iy = qy + offY[ty];
                if (iy < 0 || iy >= inH) {
                    continue;
                }
                long row = (plane + (long) iy * inW) * Float.BYTES;
                for (int tx = 0; tx < tapsX; tx++) {
                    addTap(in, row, tx, weightIndex(c, jy, ty, tx), sums, at, spill);
                }
            }
        }
    }

    /** Applies the epilogue to task {@code t}'s row sums and writes each output row once. */
    private void storeRows(float[] sums, MemorySegment out, TaskCursor t) {
        for (int oy = t.outputRow0; oy < t.outputRow1; oy++) {
            int at = (oy - t.outputRow0) * rowVectors * LANES;
            epilogue.applyTo(sums, at, at + ow);
            long rowStart = outputRow(t.n, t.g * weights.outPerGroup + t.c0, 0, oy);
            MemorySegment.copy(sums, at, out, ValueLayout.JAVA_FLOAT_UNALIGNED, rowStart * Float.BYTES, ow);
        }
    }

    /**
     * Adds the products of x-tap slot {@code tx}, whose lane weights start at {@code laneWeight}, to
     * the row sums from {@code sums[at]} on. Vectors that reach past the input row are peeled off
     * the main loop, whose body then has no call on any path: C2 keeps it a simple counted loop and
     * hoists the memory-access checks out of it.
     */
    private void addTap(MemorySegment in, long row, int tx, long laneWeight, float[] sums, int at, float[] spill) {
        FloatVector w = FloatVector.fromMemorySegment(SPECIES, laneWeights, laneWeight * Float.BYTES, ORDER);
        VectorShuffle<Float> spread = this.spread[tx];
        int loadOffset = this.loadOffset[tx];
        int first = Lanes.interiorStart(loadOffset, perVector, rowVectors);
        int last = Lanes.interiorEnd(loadOffset, perVector, LANES, inW, first, rowVectors);
        for (int edge = 0; edge < first + rowVectors - last; edge++) {
            int i = edge < first ? edge : last + edge - first;
            int q = loadOffset + i * perVector;
            long from = row + (long) q * Float.BYTES;
            long lanes = Lanes.bits(q, inW);
            // Loaded here, not by a method returning the vector: one C2 left out of line would box it.
            // A masked load is fast while the whole vector lies inside the tensor; past its ends
            // (its first and last rows) the lanes go through spill.
            FloatVector v;
            if (from >= 0 && from <= in.byteSize() - VECTOR_BYTES) {
                v = FloatVector.fromMemorySegment(SPECIES, in, from, ORDER, VectorMask.fromLong(SPECIES, lanes));
            } else {
                Lanes.copy(in, from, lanes, spill);
                v = FloatVector.fromArray(SPECIES, spill, 0);
            }
            int x = at + i * LANES;
            v.rearrange(spread).fma(w, FloatVector.fromArray(SPECIES, sums, x)).intoArray(sums, x);
        }
        long from = row + (long) (loadOffset + first * perVector) * Float.BYTES;
        long step = (long) perVector * Float.BYTES;
        for (int x = at + first * LANES; x < at + last * LANES; x += LANES, from += step) {
            FloatVector v = FloatVector.fromMemorySegment(SPECIES, in, from, ORDER).rearrange(spread);
            v.fma(w, FloatVector.fromArray(SPECIES, sums, x)).intoArray(sums, x);
        }
    }
}
