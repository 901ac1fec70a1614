package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel: 4 output rows x 4 vectors of phase-grid pixels, 16
 * accumulators. A tile row is one (output channel, x-residue) of a family, so all four share
 * every input vector; each weight is broadcast once and used by four vectors. Per step that is 4
 * vector loads and 4 broadcasts for 16 FMAs, which leaves both FMA pipes busy without starving
 * the load ports, and 16 + 4 + 1 live vectors fit the 32 AVX-512 registers.
 *
 * <p>The four vectors cover 1 phase row x 4 chunks, 2 x 2 or 4 x 1, whichever wastes fewer lanes
 * on the grid's width. Input lanes outside the image are masked to zero, so the kernel never reads
 * outside its buffer and multiplies nothing at an inserted zero.
 */
final class RowTileKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    static final int ROWS = 4;
    static final int VECTORS = 4;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private RowTileKernel() {}

    /**
     * Sums one tile over all taps and input channels and stores the raw sums to scratch.
     *
     * @param in the input tensor
     * @param channelBase element index of (n, first input channel of the group, 0, 0)
     * @param plane elements per input channel plane (H*W)
     * @param channels input channels in the group
     * @param weights packed weights
     * @param weightBase element index of this tile's block {@code [ty][tx][ci][ROWS]}
     * @param offY input row offset per y-tap
     * @param offX input column offset per x-tap
     * @param qy0 phase-grid row of the tile's first vector row
     * @param q0 phase-grid column of the tile's first chunk
     * @param cols chunks per vector row: 1, 2 or 4
     * @param scratch receives the sums
     * @param rowBase scratch index of each tile row's (dy 0, q0) element
     * @param rowStride scratch elements between vector rows
     */
    static void computeTile(MemorySegment in, long channelBase, long plane, int channels, int inH, int inW,
            MemorySegment weights, long weightBase, int[] offY, int[] offX, int qy0, int q0, int cols,
            float[] scratch, int[] rowBase, int rowStride) {
        int qy1 = qy0 + 1 / cols;
        int qy2 = qy0 + 2 / cols;
        int qy3 = qy0 + 3 / cols;
        int c1 = q0 + (1 % cols) * LANES;
        int c2 = q0 + (2 % cols) * LANES;
        int c3 = q0 + (3 % cols) * LANES;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int ntx = offX.length;
        for (int ty = 0; ty < offY.length; ty++) {
            int iy0 = qy0 + offY[ty], iy1 = qy1 + offY[ty], iy2 = qy2 + offY[ty], iy3 = qy3 + offY[ty];
            boolean ok0 = iy0 >= 0 && iy0 < inH, ok1 = iy1 >= 0 && iy1 < inH;
            boolean ok2 = iy2 >= 0 && iy2 < inH, ok3 = iy3 >= 0 && iy3 < inH;
            if (!(ok0 || ok1 || ok2 || ok3)) {
                continue;
            }
            for (int tx = 0; tx < ntx; tx++) {
                int ix0 = q0 + offX[tx], ix1 = c1 + offX[tx], ix2 = c2 + offX[tx], ix3 = c3 + offX[tx];
                VectorMask<Float> m0 = ok0 ? SPECIES.indexInRange(ix0, inW) : SPECIES.maskAll(false);
                VectorMask<Float> m1 = ok1 ? SPECIES.indexInRange(ix1, inW) : SPECIES.maskAll(false);
                VectorMask<Float> m2 = ok2 ? SPECIES.indexInRange(ix2, inW) : SPECIES.maskAll(false);
                VectorMask<Float> m3 = ok3 ? SPECIES.indexInRange(ix3, inW) : SPECIES.maskAll(false);
                long p0 = (channelBase + (long) (ok0 ? iy0 : 0) * inW + ix0) * Float.BYTES;
                long p1 = (channelBase + (long) (ok1 ? iy1 : 0) * inW + ix1) * Float.BYTES;
                long p2 = (channelBase + (long) (ok2 ? iy2 : 0) * inW + ix2) * Float.BYTES;
                long p3 = (channelBase + (long) (ok3 ? iy3 : 0) * inW + ix3) * Float.BYTES;
                long step = plane * Float.BYTES;
                long wp = (weightBase + (long) (ty * ntx + tx) * channels * ROWS) * Float.BYTES;
                for (int c = 0; c < channels; c++) {
                    FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, in, p0, ORDER, m0);
                    FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, in, p1, ORDER, m1);
                    FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, in, p2, ORDER, m2);
                    FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, in, p3, ORDER, m3);
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
                    p0 += step;
                    p1 += step;
                    p2 += step;
                    p3 += step;
                    wp += ROWS * Float.BYTES;
                }
            }
        }
        int v1 = (1 / cols) * rowStride + (1 % cols) * LANES;
        int v2 = (2 / cols) * rowStride + (2 % cols) * LANES;
        int v3 = (3 / cols) * rowStride + (3 % cols) * LANES;
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
