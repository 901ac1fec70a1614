package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies the input a tile reads into a contiguous panel, {@code [y-tap][x-tap][channel][slots]},
 * once per task, so the micro-kernel's inner loop reads memory front to back. Reading NCHW planes
 * there would stride a whole plane per input channel: every load in the same L1 sets and no
 * prefetch. Lanes that fall outside the image are written as zero here, once, so the kernel needs
 * no masks.
 */
final class PanelPacker {

    private static final VectorSpecies<Float> SPECIES = TileKernel.SPECIES;
    private static final int LANES = TileKernel.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private PanelPacker() {}

    /**
     * Where in the input one task reads: image, input-channel range and plane size. Mutable and
     * kept in the thread's {@link Workspace}, so a task allocates nothing.
     */
    static final class Source {
        MemorySegment in;
        long channelBase;
        long plane;
        int channels;
        int height;
        int width;

        Source set(MemorySegment in, long channelBase, int channels, int height, int width) {
            this.in = in;
            this.channelBase = channelBase;
            this.plane = (long) height * width;
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }
    }

    /**
     * Packs {@link TileKernel#VECTORS} vectors of grid pixels per step: vectors {@code first ..
     * first+3} of a grid taken row by row, {@code chunks} vectors per row, from grid row {@code gy0}
     * and column {@code gx0}.
     *
     * <p>Channels are the outer loop: every (tap, vector) of one input plane is copied before the
     * next plane, so reads stay within a few cache lines instead of striding a plane per load.
     * Each entry's source offset, lane mask and panel slot are worked out once, in {@code plan}.
     */
    static void packPixels(Source s, int[] offY, int tyLo, int tyHi, int[] offX, int gy0, int gx0, int chunks,
            int first, MemorySegment panel, EntryTable plan) {
        int entries = (tyHi - tyLo) * offX.length * TileKernel.VECTORS;
        plan.reserve(entries);
        int e = 0;
        for (int ty = tyLo; ty < tyHi; ty++) {
            for (int tx = 0; tx < offX.length; tx++) {
                long slot = (long) ((ty - tyLo) * offX.length + tx) * s.channels * TileKernel.VECTOR_WIDTH;
                for (int v = 0; v < TileKernel.VECTORS; v++) {
                    int iy = gy0 + (first + v) / chunks + offY[ty];
                    int ix = gx0 + (first + v) % chunks * LANES + offX[tx];
                    boolean rowInside = iy >= 0 && iy < s.height;
                    plan.source[e] = ((long) (rowInside ? iy : 0) * s.width + ix) * Float.BYTES;
                    plan.lanes[e] = SPECIES.indexInRange(ix, rowInside ? s.width : 0).toLong();
                    plan.slot[e] = (slot + (long) v * LANES) * Float.BYTES;
                    e++;
                }
            }
        }
        long plane = s.channelBase * Float.BYTES;
        for (int c = 0; c < s.channels; c++, plane += s.plane * Float.BYTES) {
            long step = (long) c * TileKernel.VECTOR_WIDTH * Float.BYTES;
            for (int k = 0; k < entries; k++) {
                VectorMask<Float> inside = VectorMask.fromLong(SPECIES, plan.lanes[k]);
                FloatVector.fromMemorySegment(SPECIES, s.in, plane + plan.source[k], ORDER, inside)
                        .intoMemorySegment(panel, plan.slot[k] + step, ORDER);
            }
        }
    }

    /** Per-entry source offsets, lane masks and panel slots, reused across calls by one thread. */
    static final class EntryTable {
        long[] source = new long[0];
        long[] lanes = new long[0];
        long[] slot = new long[0];

        void reserve(int entries) {
            if (source.length < entries) {
                source = new long[entries];
                lanes = new long[entries];
                slot = new long[entries];
            }
        }
    }

    /**
     * Packs the {@link TileKernel#BROADCASTS} pixels {@code (qy, q0 .. q0+3)} per step, for y-taps
     * {@code [tyLo, tyHi)} and x-taps {@code [txLo, txHi)}.
     *
     * @return the number of floats written
     */
    static long packQuad(Source s, int[] offY, int tyLo, int tyHi, int[] offX, int txLo, int txHi, int qy, int q0,
            MemorySegment panel, long at) {
        long start = at;
        for (int ty = tyLo; ty < tyHi; ty++) {
            for (int tx = txLo; tx < txHi; tx++) {
                copyChannels(s, qy + offY[ty], q0 + offX[tx], TileKernel.BROADCASTS, panel, at, TileKernel.BROADCASTS);
                at += (long) s.channels * TileKernel.BROADCASTS;
            }
        }
        return at - start;
    }

    /**
     * Copies input row {@code iy}, columns {@code [ix, ix + lanes)}, of every channel to the panel,
     * {@code stride} floats apart; elements outside the image become zero. One species for every
     * width (masked to {@code lanes}) keeps the vector calls intrinsic.
     */
    private static void copyChannels(Source s, int iy, int ix, int lanes, MemorySegment panel, long at, int stride) {
        boolean rowInside = iy >= 0 && iy < s.height;
        VectorMask<Float> written = SPECIES.indexInRange(0, lanes);
        VectorMask<Float> inside = SPECIES.indexInRange(ix, rowInside ? s.width : 0).and(written);
        long src = (s.channelBase + (long) (rowInside ? iy : 0) * s.width + ix) * Float.BYTES;
        long dst = at * Float.BYTES;
        for (int c = 0; c < s.channels; c++) {
            FloatVector.fromMemorySegment(SPECIES, s.in, src, ORDER, inside).intoMemorySegment(panel, dst, ORDER,
                    written);
            src += s.plane * Float.BYTES;
            dst += (long) stride * Float.BYTES;
        }
    }
}
