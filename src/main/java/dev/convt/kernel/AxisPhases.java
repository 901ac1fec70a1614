package dev.convt.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The phase decomposition of one spatial axis, which lets the kernels skip the zeros that the
 * textbook method inserts between input pixels.
 *
 * <p>Output {@code o} has phase {@code j = o mod stride} and grid index {@code q = o div stride}.
 * It lies at full-result coordinate {@code f = o + padBegin}, and kernel tap {@code k} reaches it
 * only when {@code k*dilation ≡ f (mod stride)}, reading input {@code (f - k*dilation) / stride}.
 * For a fixed phase that input is {@code q + offset}, one offset per tap: each phase is a dense
 * stride-1 convolution over its grid, with its own short tap list.
 *
 * <p>Phases in one <em>family</em> read the same input pixels, so one register tile can hold them
 * side by side. Exact families group phases with equal offsets. Shifted families also group
 * phases whose offsets differ by a constant {@code shift}: phase {@code j}'s grid index {@code q}
 * is then family grid position {@code q + shift[j]}, and the family's grid is the union of its
 * phases' shifted grids (one position wider, typically). Fewer families mean more reuse of each
 * packed input; the wider grid costs lanes.
 */
final class AxisPhases {

    final int stride;
    /** {@code taps[j]}: kernel indices reaching phase {@code j}, by increasing index. */
    final int[][] taps;
    /** {@code offsets[j][t]}: input offset from the family grid position read by {@code taps[j][t]}. */
    final int[][] offsets;
    /** {@code shift[j]}: family grid position minus the phase's grid index. */
    final int[] shift;
    /**
     * {@code families[f]}: the phases of family {@code f}, ascending. Every phase is in exactly
     * one family; phases without taps form a family with no offsets (their outputs are bias only).
     */
    final int[][] families;

    private AxisPhases(int stride, int[][] taps, int[][] offsets, int[] shift, int[][] families) {
        this.stride = stride;
        this.taps = taps;
        this.offsets = offsets;
        this.shift = shift;
        this.families = families;
    }

    static AxisPhases of(int kernel, int stride, int dilation, int padBegin, boolean shifted) {
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
        int[] shift = new int[stride];
        Map<List<Integer>, List<Integer>> byKey = new LinkedHashMap<>();
        for (int j = 0; j < stride; j++) {
            int s = shifted && offsets[j].length > 0 ? offsets[j][0] : 0;
            List<Integer> key = new ArrayList<>();
            for (int o : offsets[j]) {
                key.add(o - s);
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
        }
        int[][] families = new int[byKey.size()][];
        int f = 0;
        for (List<Integer> members : byKey.values()) {
            families[f++] = members.stream().mapToInt(Integer::intValue).toArray();
            int first = offsets[members.get(0)].length > 0 ? offsets[members.get(0)][0] : 0;
            for (int j : members) {
                int s = offsets[j].length > 0 ? offsets[j][0] - first : 0;
                shift[j] = s;
                for (int t = 0; t < offsets[j].length; t++) {
                    offsets[j][t] -= s;
                }
            }
        }
        return new AxisPhases(stride, taps, offsets, shift, families);
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

    /** @return the first grid position family {@code f} covers on an axis of {@code out} outputs */
    int gridStart(int f, int out) {
        int start = Integer.MAX_VALUE;
        for (int j : families[f]) {
            if (count(j, out) > 0) {
                start = Math.min(start, shift[j]);
            }
        }
        return start == Integer.MAX_VALUE ? 0 : start;
    }

    /** @return the number of grid positions family {@code f} covers on an axis of {@code out} outputs */
    int gridSize(int f, int out) {
        int end = Integer.MIN_VALUE;
        for (int j : families[f]) {
            if (count(j, out) > 0) {
                end = Math.max(end, shift[j] + count(j, out));
            }
        }
        return end == Integer.MIN_VALUE ? 0 : end - gridStart(f, out);
    }
}
