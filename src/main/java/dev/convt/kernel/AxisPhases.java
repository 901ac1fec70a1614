package dev.convt.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The phase decomposition of one spatial axis, which lets the kernels skip the zeros that the
 * textbook method inserts between input pixels.
 *
 * <p>Output {@code o} has phase {@code j = o mod stride} and grid index {@code q = o div stride}.
 * It lies at full-result coordinate {@code f = o + padBegin}, and kernel tap {@code k} reaches it
 * only when {@code k*dilation ≡ f (mod stride)}, reading input {@code (f - k*dilation) / stride}.
 * For a fixed phase that input is {@code q + offset}, with one offset per tap: each phase is a
 * dense stride-1 convolution over its grid, with its own short tap list. Phases whose offset lists
 * are equal form a <em>family</em>: their outputs read the same input pixels, so one register tile
 * can hold them side by side.
 */
final class AxisPhases {

    final int stride;
    /** {@code taps[j]}: kernel indices reaching phase {@code j}, by increasing index. */
    final int[][] taps;
    /** {@code offsets[j][t]}: input offset from the grid index read by {@code taps[j][t]}. */
    final int[][] offsets;
    /**
     * {@code families[f]}: the phases of family {@code f}, ascending. Every phase is in exactly
     * one family; phases without taps form a family with no offsets (their outputs are bias only).
     */
    final int[][] families;

    private AxisPhases(int stride, int[][] taps, int[][] offsets, int[][] families) {
        this.stride = stride;
        this.taps = taps;
        this.offsets = offsets;
        this.families = families;
    }

    static AxisPhases of(int kernel, int stride, int dilation, int padBegin) {
        int[][] taps = new int[stride][];
        int[][] offsets = new int[stride][];
        for (int j = 0; j < stride; j++) {
            long f = (long) j + padBegin;
            int[] t = new int[kernel];
            int[] o = new int[kernel];
            int n = 0;
            for (int k = 0; k < kernel; k++) {
                long d = f - (long) k * dilation;
                if (Math.floorMod(d, stride) == 0) {
                    t[n] = k;
                    o[n] = (int) Math.floorDiv(d, stride);
                    n++;
                }
            }
            taps[j] = Arrays.copyOf(t, n);
            offsets[j] = Arrays.copyOf(o, n);
        }
        List<int[]> families = new ArrayList<>();
        boolean[] placed = new boolean[stride];
        for (int j = 0; j < stride; j++) {
            if (placed[j]) {
                continue;
            }
            int[] members = new int[stride];
            int n = 0;
            for (int j2 = j; j2 < stride; j2++) {
                if (!placed[j2] && Arrays.equals(offsets[j], offsets[j2])) {
                    placed[j2] = true;
                    members[n++] = j2;
                }
            }
            families.add(Arrays.copyOf(members, n));
        }
        return new AxisPhases(stride, taps, offsets, families.toArray(new int[0][]));
    }

    /** @return the phases as families of one, for plans that tile each phase on its own */
    int[][] singletons() {
        int[][] s = new int[stride][];
        for (int j = 0; j < stride; j++) {
            s[j] = new int[] {j};
        }
        return s;
    }

    /** @return number of outputs of phase {@code j} on an axis of {@code out} outputs */
    int count(int j, int out) {
        return j >= out ? 0 : (out - 1 - j) / stride + 1;
    }
}
