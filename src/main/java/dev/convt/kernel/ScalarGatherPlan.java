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
    private final AxisTaps depths;
    private final AxisTaps rows;
    private final AxisTaps cols;
    private final long inputPlane;
    private final long outputPlane;

    ScalarGatherPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        super(geometry, weights, epilogue);
        this.scalarEpilogue = epilogue;
        this.depths = AxisTaps.of(geometry.depth());
        this.rows = AxisTaps.of(geometry.height());
        this.cols = AxisTaps.of(geometry.width());
        this.inputPlane = geometry.inputPlane();
        this.outputPlane = geometry.outputPlane();
    }

    @Override
    public long taskCount() {
        return (long) geometry.batch() * geometry.spec().outChannels();
    }

    /** Output volume {@code task = n * Cout + co}: per element, taps by (z, y, x), then input channels. */
    @Override
    public void runTask(long task, MemorySegment in, MemorySegment out) {
        int cout = geometry.spec().outChannels();
        int n = (int) (task / cout);
        int co = (int) (task % cout);
        int g = co / weights.outPerGroup;
        int col = co % weights.outPerGroup;
        int inH = geometry.height().in();
        int inW = geometry.width().in();
        int od = geometry.depth().out();
        int oh = geometry.height().out();
        int ow = geometry.width().out();
        long channels = inputChannelBase(n, g);
        long volume = ((long) n * cout + co) * outputPlane;
        float bias = weights.biasLanes[co];
        for (int oz = 0; oz < od; oz++) {
            for (int oy = 0; oy < oh; oy++) {
                long row = volume + ((long) oz * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0f;
                    for (int tz = depths.start[oz]; tz < depths.start[oz + 1]; tz++) {
                        for (int ty = rows.start[oy]; ty < rows.start[oy + 1]; ty++) {
                            for (int tx = cols.start[ox]; tx < cols.start[ox + 1]; tx++) {
                                long pixel = channels + ((long) depths.input[tz] * inH + rows.input[ty]) * inW
                                        + cols.input[tx];
                                for (int c = 0; c < weights.inPerGroup; c++) {
                                    float w = weights.weight(g * weights.inPerGroup + c, col, depths.tap[tz], rows.tap[ty],
                                            cols.tap[tx]);
                                    sum = Math.fma(in.getAtIndex(FLOAT, pixel + c * inputPlane), w, sum);
                                }
                            }
                        }
                    }
                    out.setAtIndex(FLOAT, row + ox, scalarEpilogue.apply(sum + bias));
                }
            }
        }
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
