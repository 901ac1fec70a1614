package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel every plan runs: 4 broadcast operands x 4 vector operands, 16
 * accumulators. Per step it makes 4 vector loads and 4 broadcasts for 16 FMAs, which keeps both
 * FMA pipes busy without starving the load ports, and 16 + 4 + 1 live vectors fit the 32 AVX-512
 * registers.
 *
 * <p>The operands are panels in native memory read front to back: the vector panel advances
 * {@link #VECTOR_WIDTH} floats per step, the broadcast panel {@link #BROADCASTS}. Which is which
 * is the plan's choice: input pixels as vectors and weights broadcast ({@link PixelTiledPlan}), or
 * weights as vectors over output channels and input pixels broadcast ({@link ChannelTiledPlan}).
 */
final class TileKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    static final int BROADCASTS = 4;
    static final int VECTORS = 4;
    /** Floats of the vector operand per step. */
    static final int VECTOR_WIDTH = VECTORS * LANES;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private TileKernel() {}

    /**
     * Sums {@code segments * steps} steps and stores accumulator (b, v) to
     * {@code scratch[base[b] + v * LANES]}.
     *
     * @param vec vector operand panel; each segment starts {@code vecSkip} floats after the last
     *     step of the previous one
     * @param vecIndex element index of the first step's vectors
     * @param bc broadcast operand panel, contiguous over all segments
     * @param bcIndex element index of the first step's broadcasts
     */
    static void computeTile(MemorySegment vec, long vecIndex, long vecSkip, MemorySegment bc, long bcIndex,
            int segments, int steps, float[] scratch, int[] base) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        long vp = vecIndex * Float.BYTES;
        long bp = bcIndex * Float.BYTES;
        for (int segment = 0; segment < segments; segment++, vp += vecSkip * Float.BYTES) {
            for (int s = 0; s < steps; s++, vp += VECTOR_WIDTH * Float.BYTES, bp += BROADCASTS * Float.BYTES) {
                FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, vec, vp, ORDER);
                FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, vec, vp + LANES * Float.BYTES, ORDER);
                FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, vec, vp + 2 * LANES * Float.BYTES, ORDER);
                FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, vec, vp + 3 * LANES * Float.BYTES, ORDER);
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
        int v1 = LANES;
        int v2 = 2 * LANES;
        int v3 = 3 * LANES;
        int r = base[0];
        a00.intoArray(scratch, r);
        a01.intoArray(scratch, r + v1);
        a02.intoArray(scratch, r + v2);
        a03.intoArray(scratch, r + v3);
        r = base[1];
        a10.intoArray(scratch, r);
        a11.intoArray(scratch, r + v1);
        a12.intoArray(scratch, r + v2);
        a13.intoArray(scratch, r + v3);
        r = base[2];
        a20.intoArray(scratch, r);
        a21.intoArray(scratch, r + v1);
        a22.intoArray(scratch, r + v2);
        a23.intoArray(scratch, r + v3);
        r = base[3];
        a30.intoArray(scratch, r);
        a31.intoArray(scratch, r + v1);
        a32.intoArray(scratch, r + v2);
        a33.intoArray(scratch, r + v3);
    }
}
