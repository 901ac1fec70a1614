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

    ExecutionPlan(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        this.geometry = geometry;
        this.weights = weights;
        this.epilogue = VectorEpilogue.of(epilogue);
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
     *       padding zeros by every weight, and for 3-D layers, which the tiled plans do not take
     *       yet ({@link ScalarGatherPlan});</li>
     *   <li>{@link Kind#DEPTHWISE} for one input channel per group with a stride that divides the
     *       vector length ({@link DepthwisePlan#fits});</li>
     *   <li>{@link Kind#CHANNEL_TILED} when the width's phase grid is narrower than a vector and
     *       there are at least {@value ChannelTiledPlan#MIN_CHANNELS} output channels per group
     *       to vectorize over instead;</li>
     *   <li>{@link Kind#PIXEL_TILED} otherwise: it applies to every finite 1-D or 2-D layer.</li>
     * </ol>
     */
    public static ExecutionPlan create(ConvTransposeGeometry geometry, PackedWeights weights, Epilogue epilogue) {
        // The tiled plans are 2-D; until they take a depth axis, 3-D layers take the exact scalar plan.
        if (!weights.finite || geometry.axes().size() == 3) {
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

    /** @return element index of output row {@code oy} of channel {@code co} of image {@code n} */
    final long outputRow(int n, int co, int oy) {
        ConvTransposeGeometry.Axis ay = geometry.height();
        return (((long) n * geometry.spec().outChannels() + co) * ay.out() + oy) * geometry.width().out();
    }
}
