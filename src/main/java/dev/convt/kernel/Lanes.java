package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Edge-safe vector I/O for the packer and the depthwise plan: lane bits of a partial vector, the
 * rare vectors that reach past a tensor's ends copied lane by lane through a small array (never a
 * method that returns a vector, which C2 would box whenever it leaves the call out of line), and
 * the interior of a strided run of loads, which needs no such care. The micro-kernels
 * ({@link TileKernel}) read only packed buffers and need none of this.
 */
final class Lanes {

    private static final int LANES = TileKernel.LANES;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Lanes() {}

    /**
     * Copies lanes {@code lanes} (a contiguous range, as {@link #bits} makes) of the vector at
     * {@code byteOffset} to {@code to}, zero elsewhere, one by one. The loop runs over the set lanes
     * only, with no condition around the access: C2 hoists a loop's bounds check out of it, and a
     * check hoisted over lanes that are not read fails at the tensor's ends, deoptimizing the
     * method again and again.
     */
    static void copy(MemorySegment seg, long byteOffset, long lanes, float[] to) {
        Arrays.fill(to, 0f);
        for (int l = firstLane(lanes), end = endLane(lanes); l < end; l++) {
            to[l] = seg.get(FLOAT, byteOffset + (long) l * Float.BYTES);
        }
    }

    private static int firstLane(long lanes) {
        return lanes == 0 ? 0 : Long.numberOfTrailingZeros(lanes);
    }

    private static int endLane(long lanes) {
        return 64 - Long.numberOfLeadingZeros(lanes);
    }

    /** {@return bits of the lanes {@code l} with {@code 0 <= start + l < limit}, a contiguous range} */
    static long bits(long start, long limit) {
        long lo = Math.clamp(-start, 0, LANES);
        long hi = Math.clamp(limit - start, lo, LANES);
        long below = hi == 64 ? -1L : (1L << hi) - 1;
        return below & ~((1L << lo) - 1);
    }

    /**
     * {@return the first of {@code count} loads at {@code start + i * stride} (any unit) that
     * begins at or after 0} With {@link #interiorEnd}: the loads in {@code [first, end)} lie
     * wholly inside {@code [0, limit)}, so a loop over them needs no masks or spill; the rest,
     * at the two ends, go through {@link #copy}.
     */
    static int interiorStart(long start, long stride, int count) {
        return Math.clamp(Math.ceilDiv(-start, stride), 0, count);
    }

    /** {@return the end of the loads from {@code first} on that end at or before {@code limit}, each {@code width} long} */
    static int interiorEnd(long start, long stride, long width, long limit, int first, int count) {
        return Math.clamp(Math.floorDiv(limit - width - start, stride) + 1, first, count);
    }
}
