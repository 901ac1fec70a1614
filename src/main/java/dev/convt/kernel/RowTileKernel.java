package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel and the input packing that feeds it.
 *
 * <p>A tile is 4 output rows x 4 vectors of phase-grid pixels: 16 accumulators. A tile row is one
 * (output channel, x-residue) of a family, so all four rows share every input vector, and each
 * broadcast weight feeds four vectors: per step 4 vector loads and 4 broadcasts for 16 FMAs, and
 * 16 + 4 + 1 live vectors fit the 32 AVX-512 registers.
 *
 * <p>The input a tile needs is first copied into a contiguous panel ({@link #packPanel}), once per
 * task and reused by every channel tile: reading NCHW planes directly would stride 4 KB per input
 * channel, which maps every load to the same L1 sets and defeats prefetching. Packing also applies
 * the image-border masks once, so the inner loop has no masks and no branches.
 */
final class RowTileKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    static final int ROWS = 4;
    static final int VECTORS = 4;
    /** Panel floats per step: one row of the tile's four vectors. */
    static final int STEP = VECTORS * LANES;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private RowTileKernel() {}

    /**
     * Copies the input under a tile into {@code panel} as {@code [y-tap][x-tap][channel][STEP]}, for
     * y-taps {@code [tyLo, tyHi)}. Lanes outside the image read as zero. The four vectors sit at
     * (row {@code v / cols}, chunk {@code v % cols}) from ({@code qy0}, {@code q0}) on the phase grid.
     */
    static void packPanel(MemorySegment in, long channelBase, long plane, int channels, int inH, int inW,
            int[] offY, int tyLo, int tyHi, int[] offX, int qy0, int q0, int cols, float[] panel) {
        int at = 0;
        for (int ty = tyLo; ty < tyHi; ty++) {
            for (int tx = 0; tx < offX.length; tx++) {
                for (int v = 0; v < VECTORS; v++) {
                    int iy = qy0 + v / cols + offY[ty];
                    int ix = q0 + (v % cols) * LANES + offX[tx];
                    boolean rowInside = iy >= 0 && iy < inH;
                    VectorMask<Float> inside = SPECIES.indexInRange(ix, rowInside ? inW : 0);
                    long src = (channelBase + (long) (rowInside ? iy : 0) * inW + ix) * Float.BYTES;
                    int dst = at + v * LANES;
                    for (int c = 0; c < channels; c++) {
                        FloatVector.fromMemorySegment(SPECIES, in, src, ORDER, inside).intoArray(panel, dst);
                        src += plane * Float.BYTES;
                        dst += STEP;
                    }
                }
                at += channels * STEP;
            }
        }
    }

    /**
     * Sums {@code steps} panel rows against the tile's weights and stores the 16 sums to scratch.
     *
     * @param panel packed input, read from index 0
     * @param weights packed weights, {@code ROWS} floats per step from element {@code weightBase}
     * @param rowBase scratch index of each tile row's first vector
     * @param v1 scratch offset of vector 1 from vector 0 (likewise v2, v3)
     */
    static void computeTile(float[] panel, int steps, MemorySegment weights, long weightBase, float[] scratch,
            int[] rowBase, int v1, int v2, int v3) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        long wp = weightBase * Float.BYTES;
        for (int s = 0, p = 0; s < steps; s++, p += STEP, wp += ROWS * Float.BYTES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, panel, p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, panel, p + LANES);
            FloatVector x2 = FloatVector.fromArray(SPECIES, panel, p + 2 * LANES);
            FloatVector x3 = FloatVector.fromArray(SPECIES, panel, p + 3 * LANES);
            FloatVector w = FloatVector.broadcast(SPECIES, weights.get(FLOAT, wp));
            a00 = x0.fma(w, a00);
            a01 = x1.fma(w, a01);
            a02 = x2.fma(w, a02);
            a03 = x3.fma(w, a03);
            w = FloatVector.broadcast(SPECIES, weights.get(FLOAT, wp + 4));
            a10 = x0.fma(w, a10);
            a11 = x1.fma(w, a11);
            a12 = x2.fma(w, a12);
            a13 = x3.fma(w, a13);
            w = FloatVector.broadcast(SPECIES, weights.get(FLOAT, wp + 8));
            a20 = x0.fma(w, a20);
            a21 = x1.fma(w, a21);
            a22 = x2.fma(w, a22);
            a23 = x3.fma(w, a23);
            w = FloatVector.broadcast(SPECIES, weights.get(FLOAT, wp + 12));
            a30 = x0.fma(w, a30);
            a31 = x1.fma(w, a31);
            a32 = x2.fma(w, a32);
            a33 = x3.fma(w, a33);
        }
        int r = rowBase[0];
        a00.intoArray(scratch, r);
        a01.intoArray(scratch, r + v1);
        a02.intoArray(scratch, r + v2);
        a03.intoArray(scratch, r + v3);
        r = rowBase[1];
        a10.intoArray(scratch, r);
        a11.intoArray(scratch, r + v1);
        a12.intoArray(scratch, r + v2);
        a13.intoArray(scratch, r + v3);
        r = rowBase[2];
        a20.intoArray(scratch, r);
        a21.intoArray(scratch, r + v1);
        a22.intoArray(scratch, r + v2);
        a23.intoArray(scratch, r + v3);
        r = rowBase[3];
        a30.intoArray(scratch, r);
        a31.intoArray(scratch, r + v1);
        a32.intoArray(scratch, r + v2);
        a33.intoArray(scratch, r + v3);
    }
}
