package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies the input a task reads into a compact panel once per task, so the micro-kernel reads
 * from a small, cache-resident buffer instead of striding whole NCHW planes (which puts every load
 * of a channel sweep in the same L1 sets). Pixels outside the image are written as zero here,
 * once, so the kernel needs no masks.
 */
final class PanelPacker {

    private static final VectorSpecies<Float> SPECIES = TileKernel.SPECIES;
    private static final int LANES = TileKernel.LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long VECTOR_BYTES = (long) LANES * Float.BYTES;
    private static final long ALL_LANES = Lanes.bits(0, LANES);
    private static final FloatVector ZERO = FloatVector.zero(SPECIES);
    /**
     * Image columns per window row from which {@link #packWindow} copies row by row: a long row is
     * one sequential copy, while on short rows the per-row copy call costs more than it saves.
     */
    private static final int LONG_ROW = 128;

    private PanelPacker() {}

    /**
     * Where in the input one task reads: image, input-channel range, the (height x width) slice
     * and the channel pitch (the whole volume of a channel, for 3-D). Mutable and kept in the
     * thread's {@link Workspace}, so a task allocates nothing.
     */
    static final class Source {
        MemorySegment in;
        long channelBase;
        long channelPitch;
        int channels;
        int height;
        int width;
        final float[] spill = new float[LANES];

        /** Reads {@code channels} channels, {@code channelPitch} elements apart, of the slice starting at {@code channelBase}. */
        Source set(MemorySegment in, long channelBase, int channels, long channelPitch, int height, int width) {
            this.in = in;
            this.channelBase = channelBase;
            this.channelPitch = channelPitch;
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }
    }

    /**
     * Copies the input window rows {@code [row0, row0 + rows)} x columns {@code [col0, col0 +
     * width)} of every channel into {@code window}, the {@code width} columns of (channel c, row r)
     * from float {@code at + c * channelPitch + r * rowPitch} on. Pixels outside the image become
     * zero, so a kernel tap may read any shifted vector of the window.
     */
    static void packWindow(Source s, int row0, int rows, int col0, int width, long channelPitch, long rowPitch,
            MemorySegment window, long at) {
        int x0 = Math.clamp(col0, 0, s.width);
        int x1 = Math.clamp((long) col0 + width, x0, s.width);
        if (x1 - x0 >= LONG_ROW) {
            copyRows(s, row0, rows, col0, width, channelPitch, rowPitch, window, at, x0, x1);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int x = 0; x < width; x += LANES) {
                copyChannels(s, row0 + r, col0 + x, Math.min(LANES, width - x), window, at + r * rowPitch + x,
                        channelPitch);
            }
        }
    }

    /**
     * {@link #packWindow} one channel after the other, a row at a time: one sequential stream, where
     * sweeping the channels innermost would touch a new page with every vector. Rows that reach
     * outside the image are zeroed first; the image columns {@code [x0, x1)} are then copied over.
     */
    private static void copyRows(Source s, int row0, int rows, int col0, int width, long channelPitch, long rowPitch,
            MemorySegment window, long at, int x0, int x1) {
        VectorMask<Float> tail = VectorMask.fromLong(SPECIES, Lanes.bits(0, width % LANES));
        for (int c = 0; c < s.channels; c++) {
            long channel = (s.channelBase + c * s.channelPitch) * Float.BYTES;
            for (int r = 0; r < rows; r++) {
                int iy = row0 + r;
                boolean rowInside = iy >= 0 && iy < s.height;
                long dst = (at + c * channelPitch + r * rowPitch) * Float.BYTES;
                if (!rowInside || x0 > col0 || x1 < col0 + width) {
                    int x = 0;
                    for (; x + LANES <= width; x += LANES) {
                        ZERO.intoMemorySegment(window, dst + (long) x * Float.BYTES, ORDER);
                    }
                    if (x < width) {
                        ZERO.intoMemorySegment(window, dst + (long) x * Float.BYTES, ORDER, tail);
                    }
                }
                if (rowInside) {
                    MemorySegment.copy(s.in, channel + ((long) iy * s.width + x0) * Float.BYTES, window,
                            dst + (long) (x0 - col0) * Float.BYTES, (long) (x1 - x0) * Float.BYTES);
                }
            }
        }
    }

    /**
     * Copies input row {@code iy}, columns {@code [ix, ix + lanes)}, of every channel to the panel,
     * {@code stride} floats apart; elements outside the image become zero. Channels are the inner
     * loop: one constant-stride stream per call, which the hardware prefetcher follows. One species
     * for every width (masked to {@code lanes}) keeps the vector calls intrinsic.
     */
    private static void copyChannels(Source s, int iy, int ix, int lanes, MemorySegment panel, long at, long stride) {
        boolean rowInside = iy >= 0 && iy < s.height;
        long written = Lanes.bits(0, lanes);
        long inside = Lanes.bits(ix, Math.min(rowInside ? s.width : 0, (long) ix + lanes));
        long src = (s.channelBase + (long) (rowInside ? iy : 0) * s.width + ix) * Float.BYTES;
        long dst = at * Float.BYTES;
        long pitchBytes = s.channelPitch * Float.BYTES;
        long strideBytes = stride * Float.BYTES;
        // Only the very first and last channels of a tensor can reach past it; they are copied lane by
        // lane, off the main loop, which then has no call on any path and stays a simple counted loop.
        int first = Lanes.interiorStart(src, pitchBytes, s.channels);
        int last = Lanes.interiorEnd(src, pitchBytes, VECTOR_BYTES, s.in.byteSize(), first, s.channels);
        for (int edge = 0; edge < first + s.channels - last; edge++) {
            int c = edge < first ? edge : last + edge - first;
            Lanes.copy(s.in, src + c * pitchBytes, inside, s.spill);
            MemorySegment.copy(s.spill, 0, panel, ValueLayout.JAVA_FLOAT_UNALIGNED, dst + c * strideBytes, lanes);
        }
        VectorMask<Float> insideMask = VectorMask.fromLong(SPECIES, inside);
        VectorMask<Float> writtenMask = VectorMask.fromLong(SPECIES, written);
        src += first * pitchBytes;
        dst += first * strideBytes;
        // Interior vectors skip the masks: masked loads and stores cost more, up to a tenth of a
        // layer's time here. The test is loop-invariant, so the compiler splits the loop on it.
        boolean whole = inside == ALL_LANES && written == ALL_LANES;
        for (int c = first; c < last; c++, src += pitchBytes, dst += strideBytes) {
            if (whole) {
                FloatVector.fromMemorySegment(SPECIES, s.in, src, ORDER).intoMemorySegment(panel, dst, ORDER);
            } else {
                FloatVector.fromMemorySegment(SPECIES, s.in, src, ORDER, insideMask).intoMemorySegment(panel, dst,
                        ORDER, writtenMask);
            }
        }
    }
}
