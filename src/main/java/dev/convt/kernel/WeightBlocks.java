package dev.convt.kernel;

import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Weights packed for the micro-kernel: flipped, split by phase and cut into row blocks.
 *
 * <p>For each group and pair of phase families (y-family {@code fy}, x-family {@code fx}), the rows
 * are {@code (output channel, y-phase, x-phase)}, in that order, cut into blocks of
 * {@code rowsPerBlock}. A block is {@code [y-tap][x-tap][input channel][row]}, so the kernel reads
 * it front to back; rows past the last channel are zero. The blocks serve one depth phase: its
 * depth taps count as more input channels, channel {@code tz * inPerGroup + ci} holding depth tap
 * {@code depthTaps[tz]} of input channel {@code ci} (a tap is a tap), so a 3-D layer's output
 * slice is a 2-D layer over the input slices its depth taps read.
 */
final class WeightBlocks {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final AxisPhases ys;
    private final AxisPhases xs;
    final int[][] familiesY;
    final int[][] familiesX;
    final int rowsPerBlock;
    final MemorySegment data;
    private final int[] depthTaps;
    /** Input channels of a block: depth taps times the group's input channels. */
    final int channels;
    private final long[] start;

    private WeightBlocks(PackedWeights w, int[] depthTaps, AxisPhases ys, AxisPhases xs, int[][] familiesY, int[][] familiesX,
            int rowsPerBlock, Arena arena) {
        this.ys = ys;
        this.xs = xs;
        this.familiesY = familiesY;
        this.familiesX = familiesX;
        this.rowsPerBlock = rowsPerBlock;
        this.depthTaps = depthTaps;
        this.channels = depthTaps.length * w.inPerGroup;
        this.start = new long[w.groups * familiesY.length * familiesX.length];
        long total = 0;
        for (int g = 0; g < w.groups; g++) {
            for (int fy = 0; fy < familiesY.length; fy++) {
                for (int fx = 0; fx < familiesX.length; fx++) {
                    start[index(g, fy, fx)] = total;
                    int rows = w.outPerGroup * familiesY[fy].length * familiesX[fx].length;
                    total += Math.ceilDiv(rows, rowsPerBlock) * blockSize(fy, fx);
                }
            }
        }
        this.data = arena.allocate(Math.max(1, total) * Float.BYTES, Tensor.ALIGNMENT);
        for (int g = 0; g < w.groups; g++) {
            for (int fy = 0; fy < familiesY.length; fy++) {
                for (int fx = 0; fx < familiesX.length; fx++) {
                    fill(w, g, fy, fx);
                }
            }
        }
    }

    /**
     * Packs {@code w} for the phases {@code ys} x {@code xs}, grouped into {@code familiesY} x
     * {@code familiesX} (each family's phases must share their offset lists).
     */
    static WeightBlocks pack(PackedWeights w, int[] depthTaps, AxisPhases ys, AxisPhases xs, int[][] familiesY,
            int[][] familiesX, int rowsPerBlock, Arena arena) {
        return new WeightBlocks(w, depthTaps, ys, xs, familiesY, familiesX, rowsPerBlock, arena);
    }

    private int index(int g, int fy, int fx) {
        return (g * familiesY.length + fy) * familiesX.length + fx;
    }

    private void fill(PackedWeights w, int g, int fy, int fx) {
        int[] py = familiesY[fy];
        int[] px = familiesX[fx];
        int nty = ys.offsets[py[0]].length;
        int ntx = xs.offsets[px[0]].length;
        int cin = w.inPerGroup;
        long size = blockSize(fy, fx);
        long base = start[index(g, fy, fx)];
        int rows = w.outPerGroup * py.length * px.length;
        for (int row = 0; row < rows; row++) {
            int col = row / (py.length * px.length);
            int jy = py[row / px.length % py.length];
            int jx = px[row % px.length];
            long rowBase = base + row / rowsPerBlock * size + row % rowsPerBlock;
            for (int ty = 0; ty < nty; ty++) {
                for (int tx = 0; tx < ntx; tx++) {
                    for (int c = 0; c < channels; c++) {
                        float v = w.weight(g * cin + c % cin, col, depthTaps[c / cin], ys.taps[jy][ty], xs.taps[jx][tx]);
                        data.setAtIndex(FLOAT, rowBase + ((long) (ty * ntx + tx) * channels + c) * rowsPerBlock, v);
                    }
                }
            }
        }
    }

    /** {@return the elements of one block of (y-family {@code fy}, x-family {@code fx})} */
    long blockSize(int fy, int fx) {
        return (long) ys.offsets[familiesY[fy][0]].length * xs.offsets[familiesX[fx][0]].length * channels
                * rowsPerBlock;
    }

    /** @return element index of block {@code block} of (group, y-family, x-family) */
    long blockIndex(int group, int fy, int fx, long block) {
        return start[index(group, fy, fx)] + block * blockSize(fy, fx);
    }
}
