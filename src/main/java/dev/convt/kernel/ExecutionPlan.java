package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A layer's work for one input shape, split into independent tasks that each write a disjoint
 * part of the output.
 */
public final class ExecutionPlan {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ConvTransposeGeometry geometry;
    private final PackedWeights weights;
    private final Epilogue epilogue;
    private final AxisTaps rows;
    private final AxisTaps cols;

    private ExecutionPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        this.geometry = geometry;
        this.weights = weights;
        this.epilogue = epilogue;
        this.rows = AxisTaps.of(geometry.height());
        this.cols = AxisTaps.of(geometry.width());
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
        return geometry.batch() * geometry.spec().outChannels();
    }

    /** Runs every task in order on the calling thread. */
    public void runAll(MemorySegment in, MemorySegment out) {
        for (int t = 0, n = taskCount(); t < n; t++) {
            runTask(t, in, out);
        }
    }

    /** Computes output plane {@code task = n * Cout + co}. */
    public void runTask(int task, MemorySegment in, MemorySegment out) {
        ConvTransposeSpec spec = geometry.spec();
        int cout = spec.outChannels();
        int n = task / cout;
        int co = task % cout;
        int perGroupOut = cout / spec.groups();
        int perGroupIn = spec.inChannels() / spec.groups();
        int g = co / perGroupOut;
        int col = co % perGroupOut;
        int h = geometry.height().in();
        int w = geometry.width().in();
        int kh = spec.kernelH();
        int kw = spec.kernelW();
        int oh = geometry.height().out();
        int ow = geometry.width().out();
        MemorySegment wts = weights.weights();
        float b = weights.bias().getAtIndex(FLOAT, co);
        long outBase = ((long) n * cout + co) * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                float acc = 0f;
                for (int cl = 0; cl < perGroupIn; cl++) {
                    int ci = g * perGroupIn + cl;
                    long inPlane = ((long) n * spec.inChannels() + ci) * h * w;
                    long wBase = ((long) ci * perGroupOut + col) * kh * kw;
                    for (int ty = rows.start[oy]; ty < rows.start[oy + 1]; ty++) {
                        for (int tx = cols.start[ox]; tx < cols.start[ox + 1]; tx++) {
                            float x = in.getAtIndex(FLOAT, inPlane + (long) rows.input[ty] * w + cols.input[tx]);
                            float wt = wts.getAtIndex(FLOAT, wBase + (long) rows.tap[ty] * kw + cols.tap[tx]);
                            acc = Math.fma(x, wt, acc);
                        }
                    }
                }
                out.setAtIndex(FLOAT, outBase + (long) oy * ow + ox, epilogue.apply(acc + b));
            }
        }
    }

    /**
     * For each output index along one axis, the kernel taps that land on a real input element and
     * that element's index (compressed rows: taps of output {@code o} are
     * {@code [start[o], start[o+1])}).
     */
    private record AxisTaps(int[] start, int[] tap, int[] input) {
        static AxisTaps of(ConvTransposeGeometry.Axis a) {
            int[] start = new int[a.out() + 1];
            int[] tap = new int[a.out() * a.kernel()];
            int[] input = new int[a.out() * a.kernel()];
            int n = 0;
            for (int o = 0; o < a.out(); o++) {
                start[o] = n;
                long f = (long) o + a.padBegin();
                for (int k = 0; k < a.kernel(); k++) {
                    long d = f - (long) k * a.dilation();
                    if (d >= 0 && d % a.stride() == 0 && d / a.stride() < a.in()) {
                        tap[n] = k;
                        input[n] = (int) (d / a.stride());
                        n++;
                    }
                }
            }
            start[a.out()] = n;
            return new AxisTaps(start, tap, input);
        }
    }
}
