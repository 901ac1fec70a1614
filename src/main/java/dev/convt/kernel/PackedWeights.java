package dev.convt.kernel;

import dev.convt.ConvTransposeSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layer's own copy of its weights and bias, packed once, when the layer is built, in the
 * order the kernels read them.
 *
 * <p>Row-tile layout: for each group, y-residue and x-family (see {@link AxisPhases}), the
 * family's rows {@code (output channel, x-residue)} are cut into tiles of
 * {@link RowTileKernel#ROWS}; each tile is a block {@code [y-tap][x-tap][input channel][row]},
 * already flipped and split by phase, so the kernel's inner loop reads it front to back. Missing
 * rows of the last tile are zero. A folded BatchNorm's scale is multiplied in here.
 */
public final class PackedWeights {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * An inference BatchNorm reduced to a per-channel affine map {@code y = x * scale + shift}.
     *
     * @param scale {@code gamma / sqrt(var + eps)}
     * @param shift {@code beta - mean * scale}
     */
    public record BatchNorm(double[] scale, double[] shift) {

        /** Validates the BatchNorm parameters and reduces them to scale and shift. */
        public static BatchNorm of(int channels, float[] gamma, float[] beta, float[] mean, float[] variance,
                float eps) {
            check("gamma", gamma, channels);
            check("beta", beta, channels);
            check("mean", mean, channels);
            check("variance", variance, channels);
            if (!(eps >= 0f) || Float.isInfinite(eps)) {
                throw new IllegalArgumentException("batchNorm eps " + eps + " must be finite and >= 0");
            }
            double[] scale = new double[channels];
            double[] shift = new double[channels];
            for (int c = 0; c < channels; c++) {
                if (!(variance[c] >= 0f)) {
                    throw new IllegalArgumentException("batchNorm variance[" + c + "] " + variance[c] + " must be >= 0");
                }
                double denom = Math.sqrt((double) variance[c] + eps);
                if (denom == 0) {
                    throw new IllegalArgumentException("batchNorm variance[" + c + "] + eps is 0");
                }
                scale[c] = gamma[c] / denom;
                shift[c] = beta[c] - mean[c] * scale[c];
            }
            return new BatchNorm(scale, shift);
        }

        private static void check(String name, float[] a, int channels) {
            if (a == null) {
                throw new IllegalArgumentException("batchNorm " + name + " is null");
            }
            if (a.length != channels) {
                throw new IllegalArgumentException("batchNorm " + name + " has " + a.length + " elements, expected Cout "
                        + channels);
            }
        }
    }

    final ConvTransposeSpec spec;
    final AxisPhases ys;
    final AxisPhases xs;
    final int inPerGroup;
    final int outPerGroup;
    final MemorySegment rowTiles;
    /** Element index of the first tile of (group, y-residue, x-family); see {@link #blockIndex}. */
    private final long[] familyStart;
    final MemorySegment bias;

    private PackedWeights(ConvTransposeSpec spec, AxisPhases ys, AxisPhases xs, MemorySegment rowTiles,
            long[] familyStart, MemorySegment bias) {
        this.spec = spec;
        this.ys = ys;
        this.xs = xs;
        this.inPerGroup = spec.inChannels() / spec.groups();
        this.outPerGroup = spec.outChannels() / spec.groups();
        this.rowTiles = rowTiles;
        this.familyStart = familyStart;
        this.bias = bias;
    }

    /**
     * Packs (and, with a BatchNorm, folds) the weights and bias into {@code arena}.
     *
     * @param w PyTorch-layout weights {@code [Cin, Cout/groups, kH, kW]}
     * @param b bias of {@code Cout} floats, or null for none
     * @param bn a BatchNorm to fold, or null
     */
    public static PackedWeights pack(ConvTransposeSpec spec, MemorySegment w, MemorySegment b, BatchNorm bn,
            Arena arena) {
        AxisPhases ys = AxisPhases.of(spec.kernelH(), spec.strideH(), spec.dilationH());
        AxisPhases xs = AxisPhases.of(spec.kernelW(), spec.strideW(), spec.dilationW());
        int groups = spec.groups();
        int cin = spec.inChannels() / groups;
        int cout = spec.outChannels() / groups;
        int kh = spec.kernelH();
        int kw = spec.kernelW();
        int families = xs.families.length;
        long[] start = new long[groups * ys.stride * families];
        long total = 0;
        for (int g = 0; g < groups; g++) {
            for (int ry = 0; ry < ys.stride; ry++) {
                for (int f = 0; f < families; f++) {
                    start[(g * ys.stride + ry) * families + f] = total;
                    total += (long) tiles(cout, xs.families[f].length) * tileSize(ys.taps[ry].length,
                            xs.offsets[xs.families[f][0]].length, cin);
                }
            }
        }
        MemorySegment packed = arena.allocate(Math.max(1, total) * Float.BYTES, 64);
        for (int g = 0; g < groups; g++) {
            for (int ry = 0; ry < ys.stride; ry++) {
                int[] tyTaps = ys.taps[ry];
                for (int f = 0; f < families; f++) {
                    int[] members = xs.families[f];
                    int ntx = xs.offsets[members[0]].length;
                    long base = start[(g * ys.stride + ry) * families + f];
                    int rows = cout * members.length;
                    for (int row = 0; row < rows; row++) {
                        int col = row / members.length;
                        int rx = members[row % members.length];
                        int co = g * cout + col;
                        double scale = bn == null ? 1 : bn.scale()[co];
                        long tileBase = base + (long) (row / RowTileKernel.ROWS)
                                * tileSize(tyTaps.length, ntx, cin);
                        for (int ty = 0; ty < tyTaps.length; ty++) {
                            for (int tx = 0; tx < ntx; tx++) {
                                for (int c = 0; c < cin; c++) {
                                    long src = (((long) (g * cin + c) * cout + col) * kh + tyTaps[ty]) * kw + xs.taps[rx][tx];
                                    long dst = tileBase + ((long) (ty * ntx + tx) * cin + c) * RowTileKernel.ROWS
                                            + row % RowTileKernel.ROWS;
                                    packed.setAtIndex(FLOAT, dst, (float) (w.getAtIndex(FLOAT, src) * scale));
                                }
                            }
                        }
                    }
                }
            }
        }
        MemorySegment bias = arena.allocate((long) spec.outChannels() * Float.BYTES, 64);
        for (int co = 0; co < spec.outChannels(); co++) {
            double v = b == null ? 0 : b.getAtIndex(FLOAT, co);
            if (bn != null) {
                v = v * bn.scale()[co] + bn.shift()[co];
            }
            bias.setAtIndex(FLOAT, co, (float) v);
        }
        return new PackedWeights(spec, ys, xs, packed, start, bias);
    }

    static int tiles(int outPerGroup, int familySize) {
        return Math.ceilDiv(outPerGroup * familySize, RowTileKernel.ROWS);
    }

    static long tileSize(int yTaps, int xTaps, int inPerGroup) {
        return (long) yTaps * xTaps * inPerGroup * RowTileKernel.ROWS;
    }

    /** @return element index of tile {@code tile} of (group, y-residue, x-family) */
    long blockIndex(int group, int ry, int family, int tile) {
        long start = familyStart[(group * ys.stride + ry) * xs.families.length + family];
        return start + tile * tileSize(ys.taps[ry].length, xs.offsets[xs.families[family][0]].length, inPerGroup);
    }
}
