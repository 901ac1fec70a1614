package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The exact plan for weights that hold an infinity or NaN. The vectorized plans multiply zero-padded lanes (pixels
 * outside the image) by every weight; with finite weights that adds exact zeros, but
 * {@code 0 * inf} is NaN where the definition has no product at all. This plan visits only the
 * taps that land on real input elements, one output element at a time, over the geometry's
 * (depth, height, width) axes (absent axes have size 1). It is slow.
 */
final class ScalarGatherPlan extends ExecutionPlan {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Epilogue scalarEpilogue;
    private final AxisTaps rows;
    private final AxisTaps cols;
    private final long inputPlane;

    ScalarGatherPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.scalarEpilogue = epilogue;
        this.rows = AxisTaps.of(geometry.height());
        this.cols = AxisTaps.of(geometry.width());
        this.inputPlane = geometry.inputPlane();
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * geometry.depth().out() * geometry.spec().outChannels();
    }

    /** Output depth slice {@code oz} of channel {@code c0} of group {@code g} of image {@code n}, element by element. */
    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int cout = geometry.spec().outChannels();
        int co = (int) (task % cout);
        TaskCursor t = cursor(Workspace.current(), (int) (task / cout), co / weights.outPerGroup);
        t.c0 = co % weights.outPerGroup;
        t.c1 = t.c0 + 1;
        t.outputRow0 = 0;
        t.outputRow1 = geometry.height().out();
        float bias = weights.biasLanes[co];
        int ow = geometry.width().out();
        for (int oy = t.outputRow0; oy < t.outputRow1; oy++) {
            long row = outputRow(t.n, co, t.oz, oy);
            for (int ox = 0; ox < ow; ox++) {
                out.setAtIndex(FLOAT, row + ox, scalarEpilogue.apply(sum(in, t, oy, ox) + bias));
            }
        }
    }

    /** {@return the sum of output {@code (oy, ox)} of task {@code t}: taps by (z, y, x), then input channels} */
    private float sum(MemorySegment in, TaskCursor t, int oy, int ox) {
        int inH = geometry.height().in();
        int inW = geometry.width().in();
        int jz = zs.phase(t.oz);
        long channels = inputChannelBase(t.n, t.g);
        float sum = 0f;
        for (int tz = t.tz0; tz < t.tz1; tz++) {
            int iz = zs.gridIndex(t.oz) + zs.offsets[jz][tz];
            for (int ty = rows.start[oy]; ty < rows.start[oy + 1]; ty++) {
                for (int tx = cols.start[ox]; tx < cols.start[ox + 1]; tx++) {
                    long pixel = channels + ((long) iz * inH + rows.input[ty]) * inW + cols.input[tx];
                    for (int c = 0; c < weights.inPerGroup; c++) {
                        float w = weights.weight(t.g * weights.inPerGroup + c, t.c0, zs.taps[jz][tz], rows.tap[ty],
                                cols.tap[tx]);
                        sum = Math.fma(in.getAtIndex(FLOAT, pixel + c * inputPlane), w, sum);
                    }
                }
            }
        }
        return sum;
    }

    /**
     * For each output index along one axis, the kernel taps that land on a real input element and
     * that element's index: taps of output {@code o} are {@code [start[o], start[o+1])}.
     */
    private record AxisTaps(int[] start, int[] tap, int[] input) {
        static AxisTaps of(ConvTransposeGeometry.Axis a) {
            AxisPhases phases = AxisPhases.of(a, false);
            int[] start = new int[a.out() + 1];
            int total = 0;
            for (int o = 0; o < a.out(); o++) {
                total += phases.taps[phases.phase(o)].length;
            }
            int[] tap = new int[total];
            int[] input = new int[total];
            int n = 0;
            for (int o = 0; o < a.out(); o++) {
                start[o] = n;
                int j = phases.phase(o);
                for (int t = 0; t < phases.taps[j].length; t++) {
                    int i = phases.gridIndex(o) + phases.offsets[j][t];
                    if (i >= 0 && i < a.in()) {
                        tap[n] = phases.taps[j][t];
                        input[n] = i;
                        n++;
                    }
                }
            }
            start[a.out()] = n;
            return new AxisTaps(start, tap, input);
        }
    }
}
