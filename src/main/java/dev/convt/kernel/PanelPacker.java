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
     * Packs {@link TileKernel#VECTORS} vectors of phase-grid pixels per step: vector {@code v} starts
     * at phase row {@code qy0 + v / cols}, column {@code q0 + (v % cols) * LANES}.
     *
     * @return the number of floats written
     */
    static long packPixels(Source s, int[] offY, int tyLo, int tyHi, int[] offX, int qy0, int q0, int cols,
            MemorySegment panel) {
        long at = 0;
        for (int ty = tyLo; ty < tyHi; ty++) {
            for (int tx = 0; tx < offX.length; tx++) {
                for (int v = 0; v < TileKernel.VECTORS; v++) {
                    int iy = qy0 + v / cols + offY[ty];
                    int ix = q0 + (v % cols) * LANES + offX[tx];
                    copyChannels(s, iy, ix, LANES, panel, at + v * LANES, TileKernel.VECTOR_WIDTH);
                }
                at += (long) s.channels * TileKernel.VECTOR_WIDTH;
            }
        }
        return at;
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
