package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Edge-safe vector I/O for the store passes and the packer: partial vectors by lane bits, the
 * rare vectors that reach past a tensor's ends through a small array, and the interior of a
 * strided run of loads, which needs no such care. The micro-kernels ({@link TileKernel}) read
 * only packed buffers and need none of this.
 */
final class Lanes {

    private static final VectorSpecies<Float> SPECIES = TileKernel.SPECIES;
    private static final int LANES = TileKernel.LANES;
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Lanes() {}

    /**
     * Loads lanes {@code lanes} (a bit per lane) from {@code seg} at {@code byteOffset}, zero
     * elsewhere. The Vector API checks a masked access lane by lane, on a slow path that is not
     * intrinsic, when the whole vector does not lie inside the segment (the first and last pixels
     * of a tensor); such rare vectors are read through {@code spill} instead. Masks travel as bits:
     * a mask object passed to a call that stays out of line is allocated.
     */
    static FloatVector load(MemorySegment seg, long byteOffset, long lanes, float[] spill) {
        if (byteOffset >= 0 && byteOffset <= seg.byteSize() - VECTOR_BYTES) {
            return FloatVector.fromMemorySegment(SPECIES, seg, byteOffset, ORDER, VectorMask.fromLong(SPECIES, lanes));
        }
        copy(seg, byteOffset, lanes, spill);
        return FloatVector.fromArray(SPECIES, spill, 0);
    }

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

    /** Stores lanes {@code lanes} of {@code v} to {@code seg} at {@code byteOffset}; see {@link #load}. */
    static void store(FloatVector v, MemorySegment seg, long byteOffset, long lanes, float[] spill) {
        if (byteOffset >= 0 && byteOffset <= seg.byteSize() - VECTOR_BYTES) {
            v.intoMemorySegment(seg, byteOffset, ORDER, VectorMask.fromLong(SPECIES, lanes));
        } else {
            v.intoArray(spill, 0);
            write(seg, byteOffset, lanes, spill);
        }
    }

    private static void write(MemorySegment seg, long byteOffset, long lanes, float[] from) {
        for (int l = firstLane(lanes), end = endLane(lanes); l < end; l++) {
            seg.set(FLOAT, byteOffset + (long) l * Float.BYTES, from[l]);
        }
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
     * at the two ends, take {@link #load}.
     */
    static int interiorStart(long start, long stride, int count) {
        return Math.clamp(Math.ceilDiv(-start, stride), 0, count);
    }

    /** {@return the end of the loads from {@code first} on that end at or before {@code limit}, each {@code width} long} */
    static int interiorEnd(long start, long stride, long width, long limit, int first, int count) {
        return Math.clamp(Math.floorDiv(limit - width - start, stride) + 1, first, count);
    }
}
