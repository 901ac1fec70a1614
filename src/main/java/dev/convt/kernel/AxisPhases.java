package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
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
 * stride-1 convolution over its grid, with its own short tap list. Only the
 * {@code min(stride, out)} phases that have outputs exist, and only taps that reach the input for
 * some output of their phase are kept, so neither a huge stride nor a huge kernel costs work.
 *
 * <p>Phases in one <em>family</em> read the same input pixels, so one register tile can hold them
 * side by side. Exact families group phases with equal offsets. Shifted families also group
 * phases whose offsets differ by a constant {@code shift}: phase {@code j}'s grid index {@code q}
 * is then family grid position {@code q + shift[j]}, and the family's grid is the union of its
 * phases' shifted grids (one position wider, typically). Fewer families mean more reuse of each
 * packed input; the wider grid costs lanes.
 */
final class AxisPhases {

    /** The stride: output {@code o} is grid index {@code o / stride} of phase {@code o % stride}. */
    final int stride;
    /** Number of phases with outputs: {@code min(stride, out)}. */
    final int phases;
    private final int out;
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

    private AxisPhases(int stride, int out, int[][] taps, int[][] offsets, int[] shift, int[][] families) {
        this.stride = stride;
        this.phases = taps.length;
        this.out = out;
        this.taps = taps;
        this.offsets = offsets;
        this.shift = shift;
        this.families = families;
    }

    static AxisPhases of(ConvTransposeGeometry.Axis a, boolean shifted) {
        int s = a.stride();
        int phases = Math.min(s, a.out());
        int[][] taps = new int[phases][];
        int[][] offsets = new int[phases][];
        long g = gcd(a.dilation(), s);
        long period = s / g;
        long dilationStep = a.dilation() / g % period;
        for (int j = 0; j < phases; j++) {
            long f = (long) j + a.padBegin();
            long count = count(j, a.out(), s);
            if (Math.floorMod(f, g) != 0) {
                taps[j] = new int[0];
                offsets[j] = new int[0];
                continue;
            }
            // k*d ≡ f (mod s)  <=>  k ≡ (f/g) * (d/g)^-1 (mod s/g)
            long first = period == 1 ? 0 : Math.floorMod(Math.floorMod(f / g, period) * inverse(dilationStep, period), period);
            // Taps that reach an input for some grid index q in [0, count): offset in [1 - count, in - 1],
            // with in and count rounded up to powers of two. The taps kept, which decide the packed
            // weights, then change only when a size doubles: a kernel cropped deeply by padding has
            // O(log) packed copies over all input sizes, not one per size (the extra taps read zeros).
            long lo = Math.max(first, Math.ceilDiv(f - (powerOfTwoAtLeast(a.in()) - 1L) * s, a.dilation()));
            long hi = Math.min(a.kernel() - 1L,
                    Math.floorDiv(f + (powerOfTwoAtLeast(count) - 1L) * s, (long) a.dilation()));
            lo = first + Math.ceilDiv(lo - first, period) * period;
            int n = lo > hi ? 0 : Math.toIntExact((hi - lo) / period + 1);
            taps[j] = new int[n];
            offsets[j] = new int[n];
            for (int t = 0; t < n; t++) {
                long k = lo + t * period;
                taps[j][t] = (int) k;
                offsets[j][t] = Math.toIntExact(Math.floorDiv(f - k * a.dilation(), s));
            }
        }
        int[] shift = new int[phases];
        Map<List<Integer>, List<Integer>> byKey = new LinkedHashMap<>();
        for (int j = 0; j < phases; j++) {
            int base = shifted && offsets[j].length > 0 ? offsets[j][0] : 0;
            List<Integer> key = new ArrayList<>();
            for (int o : offsets[j]) {
                key.add(o - base);
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
        }
        int[][] families = new int[byKey.size()][];
        int fi = 0;
        for (List<Integer> members : byKey.values()) {
            families[fi++] = members.stream().mapToInt(Integer::intValue).toArray();
            int lead = offsets[members.get(0)].length > 0 ? offsets[members.get(0)][0] : 0;
            for (int j : members) {
                int sh = offsets[j].length > 0 ? offsets[j][0] - lead : 0;
                shift[j] = sh;
                for (int t = 0; t < offsets[j].length; t++) {
                    offsets[j][t] -= sh;
                }
            }
        }
        return new AxisPhases(s, a.out(), taps, offsets, shift, families);
    }

    private static long powerOfTwoAtLeast(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    /** {@return the greatest common divisor of {@code a, b >= 0}} */
    static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** {@return {@code x^-1 mod m}, for {@code x} coprime to {@code m > 1}} */
    private static long inverse(long x, long m) {
        long r0 = m;
        long r1 = x;
        long t0 = 0;
        long t1 = 1;
        while (r1 != 0) {
            long q = r0 / r1;
            long r = r0 - q * r1;
            r0 = r1;
            r1 = r;
            long t = t0 - q * t1;
            t0 = t1;
            t1 = t;
        }
        return Math.floorMod(t0, m);
    }

    /**
     * The taps through which some grid position in {@code [q0, q1]} reads an input index in
     * {@code [0, size)}: a contiguous range, since offsets decrease with the tap. Taps outside it
     * would only multiply zeros, so tiles skip them.
     *
     * @return {@code {first, end}}, the range {@code [first, end)} of tap indices into {@code offsets}
     */
    static int[] reachingTaps(int[] offsets, int q0, int q1, int size, int[] range) {
        int first = 0;
        while (first < offsets.length && !reaches(q0, q1, offsets[first], size)) {
            first++;
        }
        int end = offsets.length;
        while (end > first && !reaches(q0, q1, offsets[end - 1], size)) {
            end--;
        }
        range[0] = first;
        range[1] = end;
        return range;
    }

    private static boolean reaches(int q0, int q1, int offset, int size) {
        return q0 + offset < size && q1 + offset >= 0;
    }

    /** {@return the phases as families of one, for plans that tile each phase on its own} */
    int[][] singletons() {
        int[][] s = new int[phases][];
        for (int j = 0; j < phases; j++) {
            s[j] = new int[] {j};
        }
        return s;
    }

    /** {@return the output at grid index {@code q} of phase {@code j}: {@code q * stride + j}} */
    int output(int j, int q) {
        return q * stride + j;
    }

    /**
     * {@return the output at position {@code k} when outputs are listed phase by phase} Slices of
     * one phase share their weights, so tasks that take them one after another find the weights
     * still in cache.
     */
    int phaseMajor(int k) {
        int j = 0;
        while (k >= count(j)) {
            k -= count(j);
            j++;
        }
        return output(j, k);
    }

    /** {@return the phase of output {@code o}} */
    int phase(int o) {
        return o % stride;
    }

    /** {@return the grid index of output {@code o} in its phase} */
    int gridIndex(int o) {
        return o / stride;
    }

    /** {@return number of outputs of phase {@code j}} */
    int count(int j) {
        return count(j, out, stride);
    }

    private static int count(int j, int out, int stride) {
        return j >= out ? 0 : (out - 1 - j) / stride + 1;
    }

    /** {@return whether every phase has the same number of taps} */
    boolean uniformTaps() {
        for (int[] t : taps) {
            if (t.length != taps[0].length) {
                return false;
            }
        }
        return true;
    }

    /** {@return the first grid position family {@code f} covers} */
    int gridStart(int f) {
        int start = Integer.MAX_VALUE;
        for (int j : families[f]) {
            start = Math.min(start, shift[j]);
        }
        return start;
    }

    /** {@return the number of grid positions family {@code f} covers} */
    int gridSize(int f) {
        int end = Integer.MIN_VALUE;
        for (int j : families[f]) {
            end = Math.max(end, shift[j] + count(j));
        }
        return end - gridStart(f);
    }

    /** {@return the taps and families, which decide the packed weights (the offsets do not)} */
    String structure() {
        return Arrays.deepToString(taps) + Arrays.deepToString(families);
    }
}
