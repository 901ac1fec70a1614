package dev.convt.kernel;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A layer's work for one input shape, made once per shape: tile shapes, index tables and a list of
 * independent tasks, each of which fully writes a disjoint part of the output. {@link #runTask}
 * only computes. Which output elements a task writes, and the order of every sum, depend on the
 * plan alone, never on the thread that runs the task.
 *
 * <p>Sign of zero: as in the definition, a sum starts at +0 and the bias is added after the
 * products, so in round-to-nearest an output whose sum and bias are zero is +0 before the
 * epilogue, whatever the signs of the zero products and of the bias (PyTorch and the references
 * agree). Every plan follows this rule; the epilogue then maps +0 as its scalar definition does.
 */
public abstract sealed class ExecutionPlan permits PixelTiledPlan, ChannelTiledPlan, DepthwisePlan, ScalarGatherPlan {


    final ConvTransposeGeometry geometry;
    final PackedWeights weights;
    final VectorEpilogue epilogue;
    /**
     * The depth axis's phases (below 3-D, one phase of one tap). The tiled plans compute each
     * output depth slice as a 2-D layer whose input channels are (depth tap, input channel): the
     * taps of the slice's phase that reach an input slice, each reading that slice.
     */
    final AxisPhases zs;
    /** The most input channels a 2-D slice sums over: the longest depth phase's taps times the group's channels. */
    final int sliceChannels;
    /**
     * Whether tasks take output depth slices phase by phase rather than in order. In order,
     * neighbouring slices share input slices but alternate between the phases' weights; when those
     * weights together outgrow a shared cache ({@link #PHASE_MAJOR_WEIGHTS}), each slice would
     * stream its weights from memory, while the slices of one phase reuse theirs (vgan3d: 33.5 MB
     * of weights, 16.8 MB per phase).
     */
    private final boolean phaseMajorDepth;
    /** Weight bytes above which depth slices go phase by phase: a conservative last-level cache size. */
    private static final long PHASE_MAJOR_WEIGHTS = 8L << 20;

    ExecutionPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        this.geometry = geometry;
        this.weights = weights;
        this.epilogue = VectorEpilogue.of(epilogue);
        this.zs = AxisPhases.of(geometry.depth(), false);
        int depthTaps = 0;
        for (int[] taps : zs.taps) {
            depthTaps = Math.max(depthTaps, taps.length);
        }
        this.sliceChannels = depthTaps * weights.inPerGroup;
        long weightBytes = (long) geometry.spec().inChannels() * weights.outPerGroup * geometry.depth().kernel()
                * geometry.height().kernel() * geometry.width().kernel() * Float.BYTES;
        this.phaseMajorDepth = zs.phases > 1 && weightBytes > PHASE_MAJOR_WEIGHTS;
    }

    /** {@return whether tasks take output depth slices phase by phase} See {@link #phaseMajorDepth}. */
    final boolean phaseMajorDepth() {
        return phaseMajorDepth;
    }

    /** Which plan computes a layer, by the loop it runs; {@link #create} says when each applies. */
    public enum Kind {
        /** {@link PixelTiledPlan}: vectors over output pixels, weights broadcast. */
        PIXEL_TILED,
        /** {@link ChannelTiledPlan}: vectors over output channels, input pixels broadcast. */
        CHANNEL_TILED,
        /** {@link DepthwisePlan}: each output vector computed in place. */
        DEPTHWISE,
        /** {@link ScalarGatherPlan}: one output element at a time, exact for non-finite weights. */
        SCALAR
    }

    /**
     * The register tile a plan's micro-kernel ({@link TileKernel}) sums into.
     *
     * @param rows broadcast operands
     * @param vectors vector operands
     */
    public record Tile(int rows, int vectors) {

        /** For plans that run no micro-kernel tile. */
        public static final Tile NONE = new Tile(0, 0);
        /** This machine's square tile: 4x4 with 32 vector registers, 4x2 with 16. */
        public static final Tile SQUARE = new Tile(TileKernel.BROADCASTS, TileKernel.VECTORS);
        /** This machine's wide tile: 6x4 or 5x2. */
        public static final Tile WIDE = new Tile(TileKernel.WIDE_BROADCASTS, TileKernel.VECTORS);
        /** This machine's narrow tile: 3x6 or 3x4. */
        public static final Tile NARROW = new Tile(TileKernel.NARROW_BROADCASTS, TileKernel.NARROW_VECTORS);

        /** {@return rows x vectors, as in "3x6"} */
        @Override
        public String toString() {
            return rows + "x" + vectors;
        }
    }

    /**
     * Plans {@code geometry}, trying the plans in this order and taking the first that applies:
     * <ol>
     *   <li>{@link Kind#SCALAR} when a weight is infinite or NaN, since the vector plans multiply
     *       padding zeros by every weight ({@link ScalarGatherPlan});</li>
     *   <li>{@link Kind#DEPTHWISE} for 1-D and 2-D layers of one input channel per group with a
     *       stride that divides the vector length ({@link DepthwisePlan#fits});</li>
     *   <li>{@link Kind#CHANNEL_TILED} when the width's phase grid is narrower than a vector and
     *       there are at least {@value ChannelTiledPlan#MIN_CHANNELS} output channels per group
     *       to vectorize over instead;</li>
     *   <li>{@link Kind#PIXEL_TILED} otherwise: it applies to every finite layer.</li>
     * </ol>
     * The last two take 3-D layers one output depth slice at a time (see {@link #zs}).
     */
    public static ExecutionPlan create(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        if (!weights.finite) {
            return new ScalarGatherPlan(geometry, weights, epilogue);
        }
        if (DepthwisePlan.fits(geometry, weights)) {
            return new DepthwisePlan(geometry, weights, epilogue);
        }
        if (ChannelTiledPlan.fits(geometry, weights)) {
            return new ChannelTiledPlan(geometry, weights, epilogue);
        }
        return new PixelTiledPlan(geometry, weights, epilogue);
    }

    /** {@return which plan this is, for tests and diagnostics} */
    public final Kind kind() {
        return switch (this) {
            case PixelTiledPlan _ -> Kind.PIXEL_TILED;
            case ChannelTiledPlan _ -> Kind.CHANNEL_TILED;
            case DepthwisePlan _ -> Kind.DEPTHWISE;
            case ScalarGatherPlan _ -> Kind.SCALAR;
        };
    }

    /** {@return the register tile the plan's micro-kernel sums into; {@link Tile#NONE} for plans without one} */
    public Tile tile() {
        return Tile.NONE;
    }

    /** {@return the plan's name, for tests and diagnostics} */
    @Override
    public String toString() {
        return getClass().getSimpleName();
    }

    /** @return the geometry this plan was made for */
    public final ConvTransposeGeometry geometry() {
        return geometry;
    }

    /** {@return whether {@code input} has exactly the shape this plan was made for} */
    public final boolean matchesInput(Tensor input) {
        return hasShape(input, geometry.spec().inChannels(), false);
    }

    /** {@return whether {@code output} has exactly the output shape of this plan (checked without allocating)} */
    public final boolean matchesOutput(Tensor output) {
        return hasShape(output, geometry.spec().outChannels(), true);
    }

    private boolean hasShape(Tensor t, int channels, boolean output) {
        int rank = geometry.inputRank();
        if (t.rank() != rank || t.dim(0) != geometry.batch() || t.dim(1) != channels) {
            return false;
        }
        for (int a = 0; a < rank - 2; a++) {
            ConvTransposeGeometry.Axis axis = geometry.axes().get(a);
            if (t.dim(2 + a) != (output ? axis.out() : axis.in())) {
                return false;
            }
        }
        return true;
    }

    /** @return number of independent tasks */
    public abstract long taskCount();

    /** Computes task {@code task} and writes its part of {@code out}. */
    public abstract void runTask(long task, MemorySegment in, MemorySegment out);

    /** Runs every task in order on the calling thread. */
    public final void runAll(MemorySegment in, MemorySegment out) {
        try {
            for (long t = 0, n = taskCount(); t < n; t++) {
                runTask(t, in, out);
            }
        } finally {
            Workspace.trimCurrent();
        }
    }

    /** @return element index of input channel 0 of group {@code g} of image {@code n} */
    final long inputChannelBase(int n, int g) {
        return ((long) n * geometry.spec().inChannels() + (long) g * weights.inPerGroup)
                * geometry.inputPlane();
    }

    /** @return element index of output row {@code oy} of depth slice {@code oz} of channel {@code co} of image {@code n} */
    final long outputRow(int n, int co, int oz, int oy) {
        long slice = ((long) n * geometry.spec().outChannels() + co) * geometry.depth().out() + oz;
        return (slice * geometry.height().out() + oy) * geometry.width().out();
    }

    /**
     * {@return the thread's cursor, set to image and output depth slice {@code slice = n * depthOut
     * + oz} of group {@code g}: the depth taps of the slice's phase that read an input slice, and
     * that phase's blocks} The plan sets the rest.
     */
    final TaskCursor cursor(Workspace ws, int slice, int g, WeightBlocks[] blocksByDepthPhase) {
        TaskCursor t = cursor(ws, slice, g);
        t.blocks = blocksByDepthPhase[zs.phase(t.oz)];
        return t;
    }

    /** {@return the thread's cursor, set as {@link #cursor(Workspace, int, int, WeightBlocks[])} sets it, for plans without weight blocks} */
    final TaskCursor cursor(Workspace ws, int slice, int g) {
        TaskCursor t = ws.cursor;
        int depth = geometry.depth().out();
        t.n = slice / depth;
        t.oz = phaseMajorDepth ? zs.phaseMajor(slice % depth) : slice % depth;
        t.g = g;
        int jz = zs.phase(t.oz);
        int q = zs.gridIndex(t.oz);
        int[] tz = AxisPhases.reachingTaps(zs.offsets[jz], q, q, geometry.depth().in(), ws.rangeZ);
        t.tz0 = tz[0];
        t.tz1 = tz[1];
        t.firstInput = t.tz0 * weights.inPerGroup;
        t.inputs = (t.tz1 - t.tz0) * weights.inPerGroup;
        t.blocks = null;
        return t;
    }

    /**
     * Packs what task {@code t}'s output depth slice reads through its depth taps: input rows
     * {@code [row0, row0 + rows)} x columns {@code [col0, col0 + width)} of each tap's input slice,
     * laid out {@code [row][channel][column]}, channel {@code (tz - tz0) * inPerGroup + ci}.
     */
    final void packSlices(Workspace ws, MemorySegment in, TaskCursor t, int row0, int rows, int col0, int width,
            MemorySegment window) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        ConvTransposeGeometry.Axis ax = geometry.width();
        int cin = weights.inPerGroup;
        long rowPitch = (long) t.inputs * width;
        int[] offsets = zs.offsets[zs.phase(t.oz)];
        for (int tz = t.tz0; tz < t.tz1; tz++) {
            long slice = (long) (zs.gridIndex(t.oz) + offsets[tz]) * ay.in() * ax.in();
            PanelPacker.Source src = ws.source.set(in, inputChannelBase(t.n, t.g) + slice, cin, geometry.inputPlane(),
                    ay.in(), ax.in());
            PanelPacker.packWindow(src, row0, rows, col0, width, width, rowPitch, window,
                    (long) (tz - t.tz0) * cin * width);
        }
    }
}
