package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels the plans run, in two sets sized to the vector register file,
 * named by tile (broadcast rows x vectors). With 32 registers (AVX-512): the square tile 4x4, 16
 * sums (4 vector loads and 4 broadcasts per 16 FMAs; 16 + 4 + 1 live vectors); the wide tile 6x4,
 * 24 sums, whose vector loads each feed 6 FMAs, for plans whose vector operand streams from L2; the
 * narrow tile 3x6, 18 sums, for plans whose rows come in threes (one to three output channels times
 * 1, 3 or 9 phases, which a 4-row tile pads by a quarter or more). With 16 registers (AVX2, and any
 * machine whose preferred vectors are narrower than 512 bits) those tiles spill, so the set is 4x2
 * (8 sums), 5x2 (10) and 3x4 (12): alone on a Zen 3 they ran at 1.5x the 32-register tiles there.
 * The plans call {@link #computeTile}, {@link #computeWideTile} and {@link #computeNarrowTile},
 * which take the machine's set; the branch is on a constant, so C2 keeps one tile per call site.
 * The 32-register set also has the paired tile 8x2 ({@link #tile8x2}), which the channel plan calls
 * when {@link #LARGE}.
 * The wide and narrow tiles take one segment per call: with a loop over segments around their step
 * loop, C2 spills some of their sums to the stack.
 *
 * <p>Both operands are in native memory. The broadcast operand is read front to back, one float
 * per row per step; the vector operand is read in segments, each with its own start and a fixed
 * stride per step. Which is which is the plan's choice: input pixels as vectors (a padded input
 * window, one segment per kernel tap) and weights broadcast ({@link PixelTiledPlan}), or weights as
 * vectors over output channels and input pixels broadcast ({@link ChannelTiledPlan}).
 */
final class TileKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /**
     * Vector registers the tiles may fill: 32 with 512-bit vectors (AVX-512), else 16 (AVX2). The
     * property {@code convt.kernel.registers} overrides it, so that tests run both sets on one machine.
     */
    static final int REGISTERS = Integer.getInteger("convt.kernel.registers",
            SPECIES.vectorBitSize() >= 512 ? 32 : 16);
    /** Whether the 32-register set runs (4x4, 6x4, 3x6) rather than the 16-register one (4x2, 5x2, 3x4). */
    static final boolean LARGE = REGISTERS >= 32;
    static final int BROADCASTS = 4;
    static final int VECTORS = LARGE ? 4 : 2;
    /** Floats of the square tile's vector operand per step. */
    static final int VECTOR_WIDTH = VECTORS * LANES;
    static final int WIDE_BROADCASTS = LARGE ? 6 : 5;
    /** Broadcast rows of the paired tile {@link #tile8x2}, which only the 32-register set has. */
    static final int PAIRED_BROADCASTS = 2 * BROADCASTS;
    static final int NARROW_BROADCASTS = 3;
    static final int NARROW_VECTORS = LARGE ? 6 : 4;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private TileKernel() {}

    /**
     * Stores the sums of a tile with no steps (no tap reaches the image): zeros, without entering
     * the kernel, whose compiled loops assume at least one segment and one step.
     */
    static void storeZeros(float[] scratch, int[] base, int broadcasts, int vectors) {
        for (int b = 0; b < broadcasts; b++) {
            Arrays.fill(scratch, base[b], base[b] + vectors * LANES, 0f);
        }
    }

    /**
     * The square tile, {@link #BROADCASTS} x {@link #VECTORS}. Sums {@code segments * steps} steps
     * ({@code segments, steps >= 1}) and stores accumulator (b, v) to {@code scratch[base[b] + v *
     * LANES]}, or adds it to what is there when {@code accumulate} (a later run of input channels).
     *
     * <p>Segment {@code s} reads its vector operand from element {@code vecStart[s]}: vector 0
     * there, vectors 1-3 at {@code v1, v2, v3} further (the 16-register tile reads only
     * {@code v1}), all advancing {@code vecStride} per step; and its broadcast operand,
     * {@link #BROADCASTS} consecutive floats, from element {@code bcStart[s]}, advancing
     * {@code bcStride} per step.
     */
    static void computeTile(MemorySegment vec, long[] vecStart, long vecStride, int v1, int v2, int v3,
            MemorySegment bc, long[] bcStart, long bcStride, int segments, int steps, float[] scratch, int[] base,
            boolean accumulate) {
        if (LARGE) {
            tile4x4(vec, vecStart, vecStride, v1, v2, v3, bc, bcStart, bcStride, segments, steps, scratch, base,
                    accumulate);
        } else {
            tile4x2(vec, vecStart, vecStride, v1, bc, bcStart, bcStride, segments, steps, scratch, base, accumulate);
        }
    }

    /** The square tile for 32 registers, 4 x 4, as {@link #computeTile}. */
    static void tile4x4(MemorySegment vec, long[] vecStart, long vecStride, int v1, int v2, int v3,
            MemorySegment bc, long[] bcStart, long bcStride, int segments, int steps, float[] scratch, int[] base,
            boolean accumulate) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        long o1 = (long) v1 * Float.BYTES;
        long o2 = (long) v2 * Float.BYTES;
        long o3 = (long) v3 * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = bcStride * Float.BYTES;
        for (int segment = 0; segment < segments; segment++) {
            long vp = vecStart[segment] * Float.BYTES;
            long bp = bcStart[segment] * Float.BYTES;
            for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
                FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o2, ORDER);
                FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o3, ORDER);
                FloatVector w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
                a00 = x0.fma(w, a00);
                a01 = x1.fma(w, a01);
                a02 = x2.fma(w, a02);
                a03 = x3.fma(w, a03);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
                a10 = x0.fma(w, a10);
                a11 = x1.fma(w, a11);
                a12 = x2.fma(w, a12);
                a13 = x3.fma(w, a13);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
                a20 = x0.fma(w, a20);
                a21 = x1.fma(w, a21);
                a22 = x2.fma(w, a22);
                a23 = x3.fma(w, a23);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 12));
                a30 = x0.fma(w, a30);
                a31 = x1.fma(w, a31);
                a32 = x2.fma(w, a32);
                a33 = x3.fma(w, a33);
            }
        }
        // Adds written out, not a helper taking the vector: a vector passed to a call the compiler
        // leaves out of line is allocated, once per call (590 KB per dcgan_l4 forward).
        if (accumulate) {
            int r = base[0];
            a00 = a00.add(FloatVector.fromArray(SPECIES, scratch, r));
            a01 = a01.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            a02 = a02.add(FloatVector.fromArray(SPECIES, scratch, r + 2 * LANES));
            a03 = a03.add(FloatVector.fromArray(SPECIES, scratch, r + 3 * LANES));
            r = base[1];
            a10 = a10.add(FloatVector.fromArray(SPECIES, scratch, r));
            a11 = a11.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            a12 = a12.add(FloatVector.fromArray(SPECIES, scratch, r + 2 * LANES));
            a13 = a13.add(FloatVector.fromArray(SPECIES, scratch, r + 3 * LANES));
            r = base[2];
            a20 = a20.add(FloatVector.fromArray(SPECIES, scratch, r));
            a21 = a21.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            a22 = a22.add(FloatVector.fromArray(SPECIES, scratch, r + 2 * LANES));
            a23 = a23.add(FloatVector.fromArray(SPECIES, scratch, r + 3 * LANES));
            r = base[3];
            a30 = a30.add(FloatVector.fromArray(SPECIES, scratch, r));
            a31 = a31.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            a32 = a32.add(FloatVector.fromArray(SPECIES, scratch, r + 2 * LANES));
            a33 = a33.add(FloatVector.fromArray(SPECIES, scratch, r + 3 * LANES));
        }
        int r = base[0];
        a00.intoArray(scratch, r);
        a01.intoArray(scratch, r + LANES);
        a02.intoArray(scratch, r + 2 * LANES);
        a03.intoArray(scratch, r + 3 * LANES);
        r = base[1];
        a10.intoArray(scratch, r);
        a11.intoArray(scratch, r + LANES);
        a12.intoArray(scratch, r + 2 * LANES);
        a13.intoArray(scratch, r + 3 * LANES);
        r = base[2];
        a20.intoArray(scratch, r);
        a21.intoArray(scratch, r + LANES);
        a22.intoArray(scratch, r + 2 * LANES);
        a23.intoArray(scratch, r + 3 * LANES);
        r = base[3];
        a30.intoArray(scratch, r);
        a31.intoArray(scratch, r + LANES);
        a32.intoArray(scratch, r + 2 * LANES);
        a33.intoArray(scratch, r + 3 * LANES);
    }

    /**
     * The paired tile, 8 x 2, for 32 registers only (16 sums + 2 + 1 live vectors): two groups of
     * {@link #BROADCASTS} broadcast rows, the second {@code bcPair} elements after the first, times
     * 2 vectors. Each vector load feeds 8 FMAs where the square tile's feeds 4, so a plan whose
     * vector operand streams from L2 reads half the bytes per FMA. Otherwise as {@link #computeTile}
     * without {@code accumulate}: row {@code b} is stored to {@code scratch[base[b]]} and
     * {@code scratch[base[b] + LANES]}.
     */
    static void tile8x2(MemorySegment vec, long[] vecStart, long vecStride, int v1, MemorySegment bc,
            long[] bcStart, long bcPair, long bcStride, int segments, int steps, float[] scratch, int[] base) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        FloatVector a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        long o1 = (long) v1 * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = bcStride * Float.BYTES;
        long pair = bcPair * Float.BYTES;
        for (int segment = 0; segment < segments; segment++) {
            long vp = vecStart[segment] * Float.BYTES;
            long bp = bcStart[segment] * Float.BYTES;
            for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
                FloatVector w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
                a00 = x0.fma(w, a00);
                a01 = x1.fma(w, a01);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
                a10 = x0.fma(w, a10);
                a11 = x1.fma(w, a11);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
                a20 = x0.fma(w, a20);
                a21 = x1.fma(w, a21);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 12));
                a30 = x0.fma(w, a30);
                a31 = x1.fma(w, a31);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + pair));
                a40 = x0.fma(w, a40);
                a41 = x1.fma(w, a41);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + pair + 4));
                a50 = x0.fma(w, a50);
                a51 = x1.fma(w, a51);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + pair + 8));
                a60 = x0.fma(w, a60);
                a61 = x1.fma(w, a61);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + pair + 12));
                a70 = x0.fma(w, a70);
                a71 = x1.fma(w, a71);
            }
        }
        a00.intoArray(scratch, base[0]);
        a01.intoArray(scratch, base[0] + LANES);
        a10.intoArray(scratch, base[1]);
        a11.intoArray(scratch, base[1] + LANES);
        a20.intoArray(scratch, base[2]);
        a21.intoArray(scratch, base[2] + LANES);
        a30.intoArray(scratch, base[3]);
        a31.intoArray(scratch, base[3] + LANES);
        a40.intoArray(scratch, base[4]);
        a41.intoArray(scratch, base[4] + LANES);
        a50.intoArray(scratch, base[5]);
        a51.intoArray(scratch, base[5] + LANES);
        a60.intoArray(scratch, base[6]);
        a61.intoArray(scratch, base[6] + LANES);
        a70.intoArray(scratch, base[7]);
        a71.intoArray(scratch, base[7] + LANES);
    }

    /**
     * The narrow tile, one segment per call: adds {@code steps} steps ({@code steps >= 1}) to the
     * {@link #NARROW_BROADCASTS} x {@link #NARROW_VECTORS} sums at {@code scratch[base[b] + v *
     * LANES]}, which the caller zeroes before a tile's first segment. Vector {@code v} is read
     * {@code vecOffset[v]} elements past element {@code vecStart} ({@code vecOffset[0]} is unused),
     * the 3 broadcast floats from element {@code bcStart}; the vector advances {@code vecStride}
     * per step, the broadcast 3 floats (its rows packed back to back), since with that stride
     * passed in as well C2 runs out of registers in the 3x6 loop and keeps loop values on the stack
     * (the wide tiles keep theirs: they ran slower without it). One flat loop: with a loop over
     * segments around it, C2 kept three of the 3x6 tile's sums on the stack and the tile ran at
     * half speed; the sums' round trip through scratch per segment costs a few percent.
     */
    static void computeNarrowTile(MemorySegment vec, long vecStart, long vecStride, int[] vecOffset,
            MemorySegment bc, long bcStart, int steps, float[] scratch, int[] base) {
        if (LARGE) {
            tile3x6(vec, vecStart, vecStride, vecOffset, bc, bcStart, steps, scratch, base);
        } else {
            tile3x4(vec, vecStart, vecStride, vecOffset, bc, bcStart, steps, scratch, base);
        }
    }

    /** The narrow tile for 32 registers, 3 x 6, as {@link #computeNarrowTile}. */
    static void tile3x6(MemorySegment vec, long vecStart, long vecStride, int[] vecOffset,
            MemorySegment bc, long bcStart, int steps, float[] scratch, int[] base) {
        int r0 = base[0];
        int r1 = base[1];
        int r2 = base[2];
        FloatVector a00 = FloatVector.fromArray(SPECIES, scratch, r0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, scratch, r0 + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, scratch, r0 + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, scratch, r0 + 3 * LANES);
        FloatVector a04 = FloatVector.fromArray(SPECIES, scratch, r0 + 4 * LANES);
        FloatVector a05 = FloatVector.fromArray(SPECIES, scratch, r0 + 5 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, scratch, r1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, scratch, r1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, scratch, r1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, scratch, r1 + 3 * LANES);
        FloatVector a14 = FloatVector.fromArray(SPECIES, scratch, r1 + 4 * LANES);
        FloatVector a15 = FloatVector.fromArray(SPECIES, scratch, r1 + 5 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, scratch, r2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, scratch, r2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, scratch, r2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, scratch, r2 + 3 * LANES);
        FloatVector a24 = FloatVector.fromArray(SPECIES, scratch, r2 + 4 * LANES);
        FloatVector a25 = FloatVector.fromArray(SPECIES, scratch, r2 + 5 * LANES);
        long o1 = (long) vecOffset[1] * Float.BYTES;
        long o2 = (long) vecOffset[2] * Float.BYTES;
        long o3 = (long) vecOffset[3] * Float.BYTES;
        long o4 = (long) vecOffset[4] * Float.BYTES;
        long o5 = (long) vecOffset[5] * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = NARROW_BROADCASTS * Float.BYTES;
        long vp = vecStart * Float.BYTES;
        long bp = bcStart * Float.BYTES;
        for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
            // Broadcasts first, then one vector at a time: 3 + 1 operand registers beside 18 sums.
            FloatVector w0 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
            FloatVector w1 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
            FloatVector w2 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
            a00 = x.fma(w0, a00);
            a10 = x.fma(w1, a10);
            a20 = x.fma(w2, a20);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
            a01 = x.fma(w0, a01);
            a11 = x.fma(w1, a11);
            a21 = x.fma(w2, a21);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o2, ORDER);
            a02 = x.fma(w0, a02);
            a12 = x.fma(w1, a12);
            a22 = x.fma(w2, a22);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o3, ORDER);
            a03 = x.fma(w0, a03);
            a13 = x.fma(w1, a13);
            a23 = x.fma(w2, a23);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o4, ORDER);
            a04 = x.fma(w0, a04);
            a14 = x.fma(w1, a14);
            a24 = x.fma(w2, a24);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o5, ORDER);
            a05 = x.fma(w0, a05);
            a15 = x.fma(w1, a15);
            a25 = x.fma(w2, a25);
        }
        a00.intoArray(scratch, r0);
        a01.intoArray(scratch, r0 + LANES);
        a02.intoArray(scratch, r0 + 2 * LANES);
        a03.intoArray(scratch, r0 + 3 * LANES);
        a04.intoArray(scratch, r0 + 4 * LANES);
        a05.intoArray(scratch, r0 + 5 * LANES);
        a10.intoArray(scratch, r1);
        a11.intoArray(scratch, r1 + LANES);
        a12.intoArray(scratch, r1 + 2 * LANES);
        a13.intoArray(scratch, r1 + 3 * LANES);
        a14.intoArray(scratch, r1 + 4 * LANES);
        a15.intoArray(scratch, r1 + 5 * LANES);
        a20.intoArray(scratch, r2);
        a21.intoArray(scratch, r2 + LANES);
        a22.intoArray(scratch, r2 + 2 * LANES);
        a23.intoArray(scratch, r2 + 3 * LANES);
        a24.intoArray(scratch, r2 + 4 * LANES);
        a25.intoArray(scratch, r2 + 5 * LANES);
    }

    /**
     * The wide tile, one segment per call: adds {@code steps} steps ({@code steps >= 1}) to the
     * {@link #WIDE_BROADCASTS} x {@link #VECTORS} sums at {@code scratch[base[b] + v * LANES]}, which
     * the caller zeroes before a tile's first segment. Operands as in {@link #computeTile} for one
     * segment, with {@link #WIDE_BROADCASTS} broadcast floats per step. Each vector load feeds 6
     * (or 5) FMAs instead of 4: in a plan the vector operand streams from L2. One flat loop, as
     * {@link #computeNarrowTile}.
     */
    static void computeWideTile(MemorySegment vec, long vecStart, long vecStride, int v1, int v2, int v3,
            MemorySegment bc, long bcStart, long bcStride, int steps, float[] scratch, int[] base) {
        if (LARGE) {
            tile6x4(vec, vecStart, vecStride, v1, v2, v3, bc, bcStart, bcStride, steps, scratch, base);
        } else {
            tile5x2(vec, vecStart, vecStride, v1, bc, bcStart, bcStride, steps, scratch, base);
        }
    }

    /** The wide tile for 32 registers, 6 x 4, as {@link #computeWideTile}. */
    static void tile6x4(MemorySegment vec, long vecStart, long vecStride, int v1, int v2, int v3,
            MemorySegment bc, long bcStart, long bcStride, int steps, float[] scratch, int[] base) {
        int r0 = base[0];
        int r1 = base[1];
        int r2 = base[2];
        int r3 = base[3];
        int r4 = base[4];
        int r5 = base[5];
        FloatVector a00 = FloatVector.fromArray(SPECIES, scratch, r0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, scratch, r0 + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, scratch, r0 + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, scratch, r0 + 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, scratch, r1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, scratch, r1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, scratch, r1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, scratch, r1 + 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, scratch, r2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, scratch, r2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, scratch, r2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, scratch, r2 + 3 * LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, scratch, r3);
        FloatVector a31 = FloatVector.fromArray(SPECIES, scratch, r3 + LANES);
        FloatVector a32 = FloatVector.fromArray(SPECIES, scratch, r3 + 2 * LANES);
        FloatVector a33 = FloatVector.fromArray(SPECIES, scratch, r3 + 3 * LANES);
        FloatVector a40 = FloatVector.fromArray(SPECIES, scratch, r4);
        FloatVector a41 = FloatVector.fromArray(SPECIES, scratch, r4 + LANES);
        FloatVector a42 = FloatVector.fromArray(SPECIES, scratch, r4 + 2 * LANES);
        FloatVector a43 = FloatVector.fromArray(SPECIES, scratch, r4 + 3 * LANES);
        FloatVector a50 = FloatVector.fromArray(SPECIES, scratch, r5);
        FloatVector a51 = FloatVector.fromArray(SPECIES, scratch, r5 + LANES);
        FloatVector a52 = FloatVector.fromArray(SPECIES, scratch, r5 + 2 * LANES);
        FloatVector a53 = FloatVector.fromArray(SPECIES, scratch, r5 + 3 * LANES);
        long o1 = (long) v1 * Float.BYTES;
        long o2 = (long) v2 * Float.BYTES;
        long o3 = (long) v3 * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = bcStride * Float.BYTES;
        long vp = vecStart * Float.BYTES;
        long bp = bcStart * Float.BYTES;
        for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o2, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o3, ORDER);
            FloatVector w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            a03 = x3.fma(w, a03);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            a13 = x3.fma(w, a13);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            a23 = x3.fma(w, a23);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 12));
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            a33 = x3.fma(w, a33);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 16));
            a40 = x0.fma(w, a40);
            a41 = x1.fma(w, a41);
            a42 = x2.fma(w, a42);
            a43 = x3.fma(w, a43);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 20));
            a50 = x0.fma(w, a50);
            a51 = x1.fma(w, a51);
            a52 = x2.fma(w, a52);
            a53 = x3.fma(w, a53);
        }
        a00.intoArray(scratch, r0);
        a01.intoArray(scratch, r0 + LANES);
        a02.intoArray(scratch, r0 + 2 * LANES);
        a03.intoArray(scratch, r0 + 3 * LANES);
        a10.intoArray(scratch, r1);
        a11.intoArray(scratch, r1 + LANES);
        a12.intoArray(scratch, r1 + 2 * LANES);
        a13.intoArray(scratch, r1 + 3 * LANES);
        a20.intoArray(scratch, r2);
        a21.intoArray(scratch, r2 + LANES);
        a22.intoArray(scratch, r2 + 2 * LANES);
        a23.intoArray(scratch, r2 + 3 * LANES);
        a30.intoArray(scratch, r3);
        a31.intoArray(scratch, r3 + LANES);
        a32.intoArray(scratch, r3 + 2 * LANES);
        a33.intoArray(scratch, r3 + 3 * LANES);
        a40.intoArray(scratch, r4);
        a41.intoArray(scratch, r4 + LANES);
        a42.intoArray(scratch, r4 + 2 * LANES);
        a43.intoArray(scratch, r4 + 3 * LANES);
        a50.intoArray(scratch, r5);
        a51.intoArray(scratch, r5 + LANES);
        a52.intoArray(scratch, r5 + 2 * LANES);
        a53.intoArray(scratch, r5 + 3 * LANES);
    }

    /** The square tile for 16 registers, 4 x 2, as {@link #computeTile}: 8 + 2 + 1 live vectors. */
    static void tile4x2(MemorySegment vec, long[] vecStart, long vecStride, int v1, MemorySegment bc,
            long[] bcStart, long bcStride, int segments, int steps, float[] scratch, int[] base, boolean accumulate) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00;
        FloatVector a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00;
        FloatVector a30 = a00, a31 = a00;
        long o1 = (long) v1 * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = bcStride * Float.BYTES;
        for (int segment = 0; segment < segments; segment++) {
            long vp = vecStart[segment] * Float.BYTES;
            long bp = bcStart[segment] * Float.BYTES;
            for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
                FloatVector w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
                a00 = x0.fma(w, a00);
                a01 = x1.fma(w, a01);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
                a10 = x0.fma(w, a10);
                a11 = x1.fma(w, a11);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
                a20 = x0.fma(w, a20);
                a21 = x1.fma(w, a21);
                w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 12));
                a30 = x0.fma(w, a30);
                a31 = x1.fma(w, a31);
            }
        }
        if (accumulate) {
            int r = base[0];
            a00 = a00.add(FloatVector.fromArray(SPECIES, scratch, r));
            a01 = a01.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            r = base[1];
            a10 = a10.add(FloatVector.fromArray(SPECIES, scratch, r));
            a11 = a11.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            r = base[2];
            a20 = a20.add(FloatVector.fromArray(SPECIES, scratch, r));
            a21 = a21.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
            r = base[3];
            a30 = a30.add(FloatVector.fromArray(SPECIES, scratch, r));
            a31 = a31.add(FloatVector.fromArray(SPECIES, scratch, r + LANES));
        }
        int r = base[0];
        a00.intoArray(scratch, r);
        a01.intoArray(scratch, r + LANES);
        r = base[1];
        a10.intoArray(scratch, r);
        a11.intoArray(scratch, r + LANES);
        r = base[2];
        a20.intoArray(scratch, r);
        a21.intoArray(scratch, r + LANES);
        r = base[3];
        a30.intoArray(scratch, r);
        a31.intoArray(scratch, r + LANES);
    }

    /**
     * The wide tile for 16 registers, 5 x 2, as {@link #computeWideTile}: 10 + 2 + 1 live vectors.
     * Alone it ran faster than 6 x 2, which leaves C2 no spare register.
     */
    static void tile5x2(MemorySegment vec, long vecStart, long vecStride, int v1,
            MemorySegment bc, long bcStart, long bcStride, int steps, float[] scratch, int[] base) {
        int r0 = base[0];
        int r1 = base[1];
        int r2 = base[2];
        int r3 = base[3];
        int r4 = base[4];
        FloatVector a00 = FloatVector.fromArray(SPECIES, scratch, r0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, scratch, r0 + LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, scratch, r1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, scratch, r1 + LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, scratch, r2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, scratch, r2 + LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, scratch, r3);
        FloatVector a31 = FloatVector.fromArray(SPECIES, scratch, r3 + LANES);
        FloatVector a40 = FloatVector.fromArray(SPECIES, scratch, r4);
        FloatVector a41 = FloatVector.fromArray(SPECIES, scratch, r4 + LANES);
        long o1 = (long) v1 * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = bcStride * Float.BYTES;
        long vp = vecStart * Float.BYTES;
        long bp = bcStart * Float.BYTES;
        for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
            FloatVector w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 12));
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            w = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 16));
            a40 = x0.fma(w, a40);
            a41 = x1.fma(w, a41);
        }
        a00.intoArray(scratch, r0);
        a01.intoArray(scratch, r0 + LANES);
        a10.intoArray(scratch, r1);
        a11.intoArray(scratch, r1 + LANES);
        a20.intoArray(scratch, r2);
        a21.intoArray(scratch, r2 + LANES);
        a30.intoArray(scratch, r3);
        a31.intoArray(scratch, r3 + LANES);
        a40.intoArray(scratch, r4);
        a41.intoArray(scratch, r4 + LANES);
    }

    /** The narrow tile for 16 registers, 3 x 4, as {@link #computeNarrowTile}: 12 + 3 + 1 live vectors. */
    static void tile3x4(MemorySegment vec, long vecStart, long vecStride, int[] vecOffset,
            MemorySegment bc, long bcStart, int steps, float[] scratch, int[] base) {
        int r0 = base[0];
        int r1 = base[1];
        int r2 = base[2];
        FloatVector a00 = FloatVector.fromArray(SPECIES, scratch, r0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, scratch, r0 + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, scratch, r0 + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, scratch, r0 + 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, scratch, r1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, scratch, r1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, scratch, r1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, scratch, r1 + 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, scratch, r2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, scratch, r2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, scratch, r2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, scratch, r2 + 3 * LANES);
        long o1 = (long) vecOffset[1] * Float.BYTES;
        long o2 = (long) vecOffset[2] * Float.BYTES;
        long o3 = (long) vecOffset[3] * Float.BYTES;
        long stride = vecStride * Float.BYTES;
        long bcStep = NARROW_BROADCASTS * Float.BYTES;
        long vp = vecStart * Float.BYTES;
        long bp = bcStart * Float.BYTES;
        for (int s = 0; s < steps; s++, vp += stride, bp += bcStep) {
            FloatVector w0 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp));
            FloatVector w1 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 4));
            FloatVector w2 = FloatVector.broadcast(SPECIES, bc.get(FLOAT, bp + 8));
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
            a00 = x.fma(w0, a00);
            a10 = x.fma(w1, a10);
            a20 = x.fma(w2, a20);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o1, ORDER);
            a01 = x.fma(w0, a01);
            a11 = x.fma(w1, a11);
            a21 = x.fma(w2, a21);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o2, ORDER);
            a02 = x.fma(w0, a02);
            a12 = x.fma(w1, a12);
            a22 = x.fma(w2, a22);
            x = FloatVector.fromMemorySegment(SPECIES, vec, vp + o3, ORDER);
            a03 = x.fma(w0, a03);
            a13 = x.fma(w1, a13);
            a23 = x.fma(w2, a23);
        }
        a00.intoArray(scratch, r0);
        a01.intoArray(scratch, r0 + LANES);
        a02.intoArray(scratch, r0 + 2 * LANES);
        a03.intoArray(scratch, r0 + 3 * LANES);
        a10.intoArray(scratch, r1);
        a11.intoArray(scratch, r1 + LANES);
        a12.intoArray(scratch, r1 + 2 * LANES);
        a13.intoArray(scratch, r1 + 3 * LANES);
        a20.intoArray(scratch, r2);
        a21.intoArray(scratch, r2 + LANES);
        a22.intoArray(scratch, r2 + 2 * LANES);
        a23.intoArray(scratch, r2 + 3 * LANES);
    }
}
