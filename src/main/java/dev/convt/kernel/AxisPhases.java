package dev.convt.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The phase decomposition of one spatial axis, which lets the kernels skip the zeros that the
 * textbook method inserts between input pixels.
 *
 * <p>A full-result coordinate {@code f} splits into a residue {@code r = f mod stride} and a
 * phase-grid index {@code q = floor(f / stride)}. Kernel tap {@code k} reaches {@code f} only when
 * {@code k*dilation ≡ r (mod stride)}, and then reads input {@code q + (r - k*dilation)/stride}.
 * So each residue is a dense stride-1 convolution over the phase grid with its own short list of
 * taps and input offsets. Residues whose offset lists are equal form a <em>family</em>: their
 * outputs read the same input vectors, so one register tile can hold them side by side.
 */
final class AxisPhases {

    final int stride;
    /** {@code taps[r]}: kernel indices landing on residue {@code r}, by increasing index. */
    final int[][] taps;
    /** {@code offsets[r][j]}: input offset read by {@code taps[r][j]}. */
    final int[][] offsets;
    /** {@code families[f]}: the residues of family {@code f}; residues with no tap are in none. */
    final int[][] families;

    private AxisPhases(int stride, int[][] taps, int[][] offsets, int[][] families) {
        this.stride = stride;
        this.taps = taps;
        this.offsets = offsets;
        this.families = families;
    }

    static AxisPhases of(int kernel, int stride, int dilation) {
        int[][] taps = new int[stride][];
        int[][] offsets = new int[stride][];
        for (int r = 0; r < stride; r++) {
            int count = 0;
            for (int k = 0; k < kernel; k++) {
                if (Math.floorMod((long) k * dilation, stride) == r) {
                    count++;
                }
            }
            taps[r] = new int[count];
            offsets[r] = new int[count];
            int j = 0;
            for (int k = 0; k < kernel; k++) {
                if (Math.floorMod((long) k * dilation, stride) == r) {
                    taps[r][j] = k;
                    offsets[r][j] = (int) ((r - (long) k * dilation) / stride);
                    j++;
                }
            }
        }
        List<int[]> families = new ArrayList<>();
        boolean[] placed = new boolean[stride];
        for (int r = 0; r < stride; r++) {
            if (placed[r] || taps[r].length == 0) {
                continue;
            }
            int[] members = new int[stride];
            int n = 0;
            for (int r2 = r; r2 < stride; r2++) {
                if (!placed[r2] && Arrays.equals(offsets[r], offsets[r2])) {
                    placed[r2] = true;
                    members[n++] = r2;
                }
            }
            families.add(Arrays.copyOf(members, n));
        }
        return new AxisPhases(stride, taps, offsets, families.toArray(new int[0][]));
    }

    /** @return the largest number of taps any residue has */
    int maxTaps() {
        int m = 0;
        for (int[] t : taps) {
            m = Math.max(m, t.length);
        }
        return m;
    }
}
