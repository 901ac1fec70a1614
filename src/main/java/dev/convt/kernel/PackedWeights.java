package dev.convt.kernel;

import dev.convt.Tensor;
import dev.convt.ConvTransposeSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The layer's own copy of its weights, in its own arena, and of its bias: the weights in PyTorch layout
 * with a folded BatchNorm's scale multiplied in, and, made on first use by a plan, the
 * {@link WeightBlocks} each kernel orientation reads.
 */
public final class PackedWeights {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * An inference BatchNorm reduced to a per-channel affine map {@code y = x * scale + shift}.
     *
     * @param scale {@code gamma / sqrt(var + eps)}
     * @param shift {@code beta - mean * scale}
     */
    public record BatchNorm(double[] scale, double[] shift) {}

    final ConvTransposeSpec spec;
    final int groups;
    final int inPerGroup;
    final int outPerGroup;
    /**
     * The bias (folded), on the heap and followed by a vector of zeros, so that a store pass reads
     * any vector of it with a plain load (no call that returns a vector, which C2 may box).
     */
    final float[] biasLanes;
    /** Whether every weight is finite; see {@link ScalarGatherPlan} for why it matters. */
    final boolean finite;
    private final Arena arena;
    /** {@code [Cin][Cout/groups][kD][kH][kW]} ({@code kD = 1} below 3-D), BatchNorm scale folded in. */
    private final MemorySegment weights;
    private final int kernelD;
    private final Map<BlockKey, WeightBlocks> blocks = new HashMap<>();

    /**
     * Blocks depend on the orientation and the phases' taps and families, not on their offsets: an
     * input size that only moves where the output starts by whole strides reuses them. The taps
     * kept change only when the input or output size passes a power of two ({@link AxisPhases}),
     * so a layer holds a bounded number of copies, whose sizes grow geometrically with the taps
     * they keep: all together a small multiple of the weights.
     */
    private record BlockKey(boolean perPhase, int rowsPerBlock, String depthTaps, String phasesY, String phasesX) {}

    private PackedWeights(ConvTransposeSpec spec, Arena arena, MemorySegment weights, float[] biasLanes,
            boolean finite) {
        this.spec = spec;
        this.finite = finite;
        this.arena = arena;
        this.weights = weights;
        this.biasLanes = biasLanes;
        this.groups = spec.groups();
        this.inPerGroup = spec.inChannels() / groups;
        this.outPerGroup = spec.outChannels() / groups;
        this.kernelD = spec.spatialRank() == 3 ? spec.axes().get(0).kernel() : 1;
    }

    /**
     * Copies (and, with a BatchNorm, folds) the weights and bias into {@code arena}.
     *
     * @param w PyTorch-layout weights {@code [Cin, Cout/groups, kD, kH, kW]} (without {@code kD} below 3-D)
     * @param b bias of {@code Cout} floats, or null for none
     * @param bn a BatchNorm to fold, or null
     */
    public static PackedWeights pack(ConvTransposeSpec spec, MemorySegment w, MemorySegment b, BatchNorm bn,
            Arena arena) {
        int perGroup = spec.outChannels() / spec.groups();
        int inPerGroup = spec.inChannels() / spec.groups();
        long count = spec.weightCount();
        long taps = count / ((long) spec.inChannels() * perGroup);
        MemorySegment folded = arena.allocate(count * Float.BYTES, Tensor.ALIGNMENT);
        boolean finite = true;
        for (long i = 0; i < count; i++) {
            float v = w.getAtIndex(FLOAT, i);
            if (bn != null) {
                int ci = (int) (i / (perGroup * taps));
                int co = ci / inPerGroup * perGroup + (int) (i / taps % perGroup);
                v = (float) (v * bn.scale()[co]);
            }
            folded.setAtIndex(FLOAT, i, v);
            finite &= Float.isFinite(v);
        }
        float[] bias = new float[spec.outChannels() + TileKernel.LANES];
        for (int co = 0; co < spec.outChannels(); co++) {
            double v = b == null ? 0 : b.getAtIndex(FLOAT, co);
            if (bn != null) {
                v = v * bn.scale()[co] + bn.shift()[co];
            }
            bias[co] = (float) v;
        }
        return new PackedWeights(spec, arena, folded, bias, finite);
    }

    /** @return weight {@code [ci][col][kz][ky][kx]} (folded) */
    float weight(int ci, int col, int kz, int ky, int kx) {
        long i = ((((long) ci * outPerGroup + col) * kernelD + kz) * spec.kernelH() + ky) * spec.kernelW() + kx;
        return weights.getAtIndex(FLOAT, i);
    }

    /** {@return the floats of all packed weight blocks this layer holds, for tests and diagnostics} */
    synchronized long packedFloats() {
        long floats = 0;
        for (WeightBlocks b : blocks.values()) {
            floats += b.data.byteSize() / Float.BYTES;
        }
        return floats;
    }

    /**
     * The weight blocks for one plan's phases, packed on first use and kept for later plans.
     *
     * @param depthTaps the depth taps of one depth phase ({@code {0}} below 3-D), which become
     *     more input channels of the blocks: channel {@code tz * inPerGroup + ci}
     * @param perPhase one family per phase ({@link ChannelTiledPlan}) instead of the phases' own
     *     families ({@link PixelTiledPlan})
     * @param rowsPerBlock rows per block: the micro-kernel's broadcast or vector operand width
     */
    synchronized WeightBlocks blocks(int[] depthTaps, AxisPhases ys, AxisPhases xs, boolean perPhase,
            int rowsPerBlock) {
        BlockKey key = new BlockKey(perPhase, rowsPerBlock, Arrays.toString(depthTaps), ys.structure(), xs.structure());
        WeightBlocks b = blocks.get(key);
        if (b == null) {
            b = perPhase
                    ? WeightBlocks.pack(this, depthTaps, ys, xs, ys.singletons(), xs.singletons(), rowsPerBlock, arena)
                    : WeightBlocks.pack(this, depthTaps, ys, xs, ys.families, xs.families, rowsPerBlock, arena);
            blocks.put(key, b);
        }
        return b;
    }
}
