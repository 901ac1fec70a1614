package dev.convt.kernel;

import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One thread's reusable buffers: sums awaiting the store pass, the packed input panel, and small
 * index tables. Grown on demand and kept up to {@link #RETAINED_FLOATS} floats each, so once warm a
 * call allocates nothing; one per thread so that concurrent calls never share one. A larger scratch
 * or panel (a task of a layer with very many channels) lasts until the end of the call that needed
 * it ({@link #trimCurrent}): a thread never keeps more than the cap after a call.
 */
final class Workspace {

    /** Floats of scratch, and of panel, a thread keeps between calls: 4 MiB each. */
    static final int RETAINED_FLOATS = 1 << 20;

    private static final ThreadLocal<Workspace> CURRENT = ThreadLocal.withInitial(Workspace::new);

    private float[] scratch = new float[0];
    /** One output row, assembled for the epilogue and copied out whole ({@link PixelTiledPlan}). */
    private float[] row = new float[0];
    private MemorySegment panel = MemorySegment.NULL;
    /** A panel above the cap, in an arena of its own that {@link #trim} closes. */
    private Arena largeArena;
    private MemorySegment largePanel = MemorySegment.NULL;
    final int[] base = new int[Math.max(TileKernel.WIDE_BROADCASTS, TileKernel.PAIRED_BROADCASTS)];
    /** The narrow tile's vector offsets. */
    final int[] vectorOffsets = new int[TileKernel.NARROW_VECTORS];
    /** Tap ranges found per tile ({@link AxisPhases#reachingTaps}). */
    final int[] rangeY = new int[2];
    final int[] rangeX = new int[2];
    final int[] rangeZ = new int[2];
    /** One vector's worth of floats for the rare accesses at the very ends of a tensor. */
    final float[] spill = new float[TileKernel.LANES];
    final PanelPacker.Source source = new PanelPacker.Source();
    final TaskCursor cursor = new TaskCursor();
    private long[] vectorStarts = new long[0];
    private long[] broadcastStarts = new long[0];
    private long[] runStarts = new long[0];
    private int[] rowRegions = new int[0];

    static Workspace current() {
        return CURRENT.get();
    }

    float[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new float[size];
        }
        return scratch;
    }

    float[] row(int size) {
        if (row.length < size) {
            row = new float[size];
        }
        return row;
    }

    /** @return a native panel of at least {@code floats} floats, 64-byte aligned */
    MemorySegment panel(long floats) {
        long bytes = Math.max(1, floats) * Float.BYTES;
        if (floats > RETAINED_FLOATS) {
            if (largePanel.byteSize() < bytes) {
                trim();
                largeArena = Arena.ofConfined();
                largePanel = largeArena.allocate(bytes, Tensor.ALIGNMENT);
            }
            return largePanel;
        }
        if (panel.byteSize() < bytes) {
            // Freed by the GC with the workspace: a thread's panel lives as long as the thread.
            panel = Arena.ofAuto().allocate(bytes, Tensor.ALIGNMENT);
        }
        return panel;
    }

    /** Frees this thread's scratch and panel beyond the cap, if a task of the ending call needed them. */
    static void trimCurrent() {
        CURRENT.get().trim();
    }

    private void trim() {
        if (largeArena != null) {
            largeArena.close();
            largeArena = null;
            largePanel = MemorySegment.NULL;
        }
        if (scratch.length > RETAINED_FLOATS) {
            scratch = new float[0];
        }
    }

    /** @return starts of the micro-kernel's vector-operand segments, one per kernel tap */
    long[] vectorStarts(int size) {
        if (vectorStarts.length < size) {
            vectorStarts = new long[size];
        }
        return vectorStarts;
    }

    /** @return starts of the broadcast operand's segments, beside {@link #vectorStarts} */
    long[] broadcastStarts(int size) {
        if (broadcastStarts.length < size) {
            broadcastStarts = new long[size];
        }
        return broadcastStarts;
    }

    /** @return the vector-operand starts of one run of input channels, beside {@link #vectorStarts} */
    long[] runStarts(int size) {
        if (runStarts.length < size) {
            runStarts = new long[size];
        }
        return runStarts;
    }

    /** @return the scratch regions of one task's tile rows ({@link PixelTiledLayout#scratchRows}) */
    int[] rowRegions(int size) {
        if (rowRegions.length < size) {
            rowRegions = new int[size];
        }
        return rowRegions;
    }
}
