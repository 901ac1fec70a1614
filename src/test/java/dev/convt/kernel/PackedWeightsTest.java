package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.Source;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The weight layouts, read from the outside: {@link PackedWeights#pack} against PyTorch's
 * {@code [Cin][Cout/groups][kD][kH][kW]} with a folded BatchNorm, and every float of the
 * {@link WeightBlocks} a plan asks for against the layout their documentation states, for random
 * 2-D and 3-D layers, depth phases, phase families and block heights.
 */
class PackedWeightsTest {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    /** A layer, the phases of one input size, one depth phase, and how its plan asks for blocks. */
    private record Case(ConvTransposeSpec spec, ConvTransposeGeometry.Axis depth, int depthPhase,
            ConvTransposeGeometry.Axis height, ConvTransposeGeometry.Axis width, boolean shifted, boolean perPhase,
            int rowsPerBlock, float[] weights, float[] bias, double[] scale, double[] shift) {

        int kernelD() {
            return depth.kernel();
        }

        /** {@return the depth phase's taps, which the blocks hold as more input channels} */
        int[] depthTaps() {
            return AxisPhases.of(depth, false).taps[depthPhase];
        }
    }

    private static Case draw(Source s) {
        int groups = s.between(1, 3);
        boolean threeD = s.nextBoolean();
        int kd = threeD ? s.between(1, 4) : 1;
        int sd = threeD ? s.between(1, 3) : 1;
        int dd = threeD ? s.between(1, 2) : 1;
        int kh = s.between(1, 5);
        int kw = s.between(1, 5);
        int sy = s.between(1, 4);
        int sx = s.between(1, 4);
        int dy = s.between(1, 3);
        int dx = s.between(1, 3);
        int cin = groups * s.between(1, 3);
        int cout = groups * s.between(1, 5);
        ConvTransposeSpec spec = (threeD ? ConvTransposeSpec.builder3d(cin, cout, kd, kh, kw).stride(sd, sy, sx)
                .dilation(dd, dy, dx) : ConvTransposeSpec.builder(cin, cout, kh, kw).stride(sy, sx).dilation(dy, dx))
                .groups(groups).bias(s.nextBoolean()).build();
        ConvTransposeGeometry.Axis depth = threeD ? axis(s, kd, sd, dd) : new ConvTransposeGeometry.Axis(1, 1, 1, 1, 1, 0);
        boolean bn = s.nextBoolean();
        double[] scale = new double[cout];
        double[] shift = new double[cout];
        for (int c = 0; c < cout; c++) {
            scale[c] = bn ? s.nextDouble() * 4 - 2 : 1;
            shift[c] = bn ? s.nextDouble() * 4 - 2 : 0;
        }
        int depthPhase = s.between(0, Math.min(sd, depth.out()) - 1);
        return new Case(spec, depth, depthPhase, axis(s, kh, sy, dy), axis(s, kw, sx, dx), s.nextBoolean(),
                s.nextBoolean(),
                s.pickInt(TileKernel.BROADCASTS, TileKernel.WIDE_BROADCASTS, TileKernel.NARROW_BROADCASTS, 1, 5),
                RandomFloats.uniform(s, (int) spec.weightCount()),
                spec.hasBias() ? RandomFloats.uniform(s, cout) : null, bn ? scale : null, bn ? shift : null);
    }

    private static ConvTransposeGeometry.Axis axis(Source s, int kernel, int stride, int dilation) {
        return new ConvTransposeGeometry.Axis(s.between(1, 9), s.between(1, 30), kernel, stride, dilation,
                s.between(-3, 6));
    }

    @Test
    void packedWeightsAndBiasAreTheGivenOnesWithTheBatchNormFolded() {
        PropertyCheck.forAll(PackedWeightsTest::draw).tries(300).check(c -> {
            ConvTransposeSpec spec = c.spec();
            int perGroup = spec.outChannels() / spec.groups();
            try (Arena arena = Arena.ofConfined()) {
                PackedWeights w = pack(c, arena);
                for (int ci = 0; ci < spec.inChannels(); ci++) {
                    for (int col = 0; col < perGroup; col++) {
                        for (int kz = 0; kz < c.kernelD(); kz++) {
                            for (int ky = 0; ky < spec.kernelH(); ky++) {
                                for (int kx = 0; kx < spec.kernelW(); kx++) {
                                    assertEquals(folded(c, ci, col, kz, ky, kx), w.weight(ci, col, kz, ky, kx), 0f,
                                            "weight [" + ci + "][" + col + "][" + kz + "][" + ky + "][" + kx + "]");
                                }
                            }
                        }
                    }
                }
                for (int co = 0; co < spec.outChannels(); co++) {
                    double b = c.bias() == null ? 0 : c.bias()[co];
                    float expected = (float) (c.scale() == null ? b : b * c.scale()[co] + c.shift()[co]);
                    assertEquals(expected, w.biasLanes[co], 0f, "bias " + co);
                }
                assertTrue(w.finite);
            }
        });
    }

    @Test
    void oneNonFiniteWeightMarksThePackNonFinite() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(2, 3, 2, 2).build();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(FLOAT, spec.weightCount());
            assertTrue(PackedWeights.pack(spec, w, null, null, arena).finite);
            w.setAtIndex(FLOAT, spec.weightCount() - 1, Float.NaN);
            assertTrue(!PackedWeights.pack(spec, w, null, null, arena).finite);
        }
    }

    /**
     * Per group and family pair, rows {@code (output channel, y-phase, x-phase)} in that order, in
     * blocks of {@code rowsPerBlock} laid out {@code [y-tap][x-tap][input channel][row]}; the rows
     * past the last channel are zero, and the blocks of all pairs tile the data without gaps.
     */
    @Test
    void blocksHoldEachWeightWhereTheLayoutSays() {
        PropertyCheck.forAll(PackedWeightsTest::draw).tries(300).check(c -> {
            ConvTransposeSpec spec = c.spec();
            int groups = spec.groups();
            int perGroup = spec.outChannels() / groups;
            int cin = spec.inChannels() / groups;
            int rowsPerBlock = c.rowsPerBlock();
            try (Arena arena = Arena.ofConfined()) {
                PackedWeights w = pack(c, arena);
                AxisPhases ys = AxisPhases.of(c.height(), c.shifted());
                AxisPhases xs = AxisPhases.of(c.width(), c.shifted());
                int[] depthTaps = c.depthTaps();
                WeightBlocks b = w.blocks(depthTaps, ys, xs, c.perPhase(), rowsPerBlock);
                assertSame(b, w.blocks(depthTaps.clone(), ys, xs, c.perPhase(), rowsPerBlock), "blocks are packed once");
                int channels = depthTaps.length * cin;
                assertEquals(channels, b.channels, "block channels: depth taps x input channels");
                int[][] fys = c.perPhase() ? ys.singletons() : ys.families;
                int[][] fxs = c.perPhase() ? xs.singletons() : xs.families;
                long data = b.data.byteSize() / Float.BYTES;
                boolean[] covered = new boolean[(int) data];
                long floats = 0;
                for (int g = 0; g < groups; g++) {
                    for (int fy = 0; fy < fys.length; fy++) {
                        for (int fx = 0; fx < fxs.length; fx++) {
                            int[] py = fys[fy];
                            int[] px = fxs[fx];
                            int nty = ys.taps[py[0]].length;
                            int ntx = xs.taps[px[0]].length;
                            int rows = perGroup * py.length * px.length;
                            int blocks = Math.ceilDiv(rows, rowsPerBlock);
                            for (int row = 0; row < blocks * rowsPerBlock; row++) {
                                for (int ty = 0; ty < nty; ty++) {
                                    for (int tx = 0; tx < ntx; tx++) {
                                        for (int ch = 0; ch < channels; ch++) {
                                            int ci = ch % cin;
                                            long at = b.blockIndex(g, fy, fx, row / rowsPerBlock)
                                                    + ((long) (ty * ntx + tx) * channels + ch) * rowsPerBlock
                                                    + row % rowsPerBlock;
                                            float expected = 0f;
                                            if (row < rows) {
                                                int col = row / (py.length * px.length);
                                                int jy = py[row / px.length % py.length];
                                                int jx = px[row % px.length];
                                                expected = folded(c, g * cin + ci, col, depthTaps[ch / cin],
                                                        ys.taps[jy][ty], xs.taps[jx][tx]);
                                            }
                                            String where = "group " + g + " families " + fy + "," + fx + " row " + row
                                                    + " taps " + ty + "," + tx + " channel " + ch;
                                            assertTrue(!covered[(int) at], where + ": index " + at + " used twice");
                                            covered[(int) at] = true;
                                            floats++;
                                            assertEquals(expected, b.data.getAtIndex(FLOAT, at), 0f, where);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                // An empty layout still allocates one float.
                assertEquals(Math.max(1, floats), data, "floats allocated");
            }
        });
    }

    /** {@return the given weight {@code [ci][col][kz][ky][kx]}, times its output channel's BatchNorm scale} */
    private static float folded(Case c, int ci, int col, int kz, int ky, int kx) {
        ConvTransposeSpec spec = c.spec();
        int perGroup = spec.outChannels() / spec.groups();
        float given = c.weights()[(((ci * perGroup + col) * c.kernelD() + kz) * spec.kernelH() + ky) * spec.kernelW()
                + kx];
        int co = ci / (spec.inChannels() / spec.groups()) * perGroup + col;
        return c.scale() == null ? given : (float) (given * c.scale()[co]);
    }

    private static PackedWeights pack(Case c, Arena arena) {
        MemorySegment w = arena.allocateFrom(FLOAT, c.weights());
        MemorySegment b = c.bias() == null ? null : arena.allocateFrom(FLOAT, c.bias());
        PackedWeights.BatchNorm bn = c.scale() == null ? null : new PackedWeights.BatchNorm(c.scale(), c.shift());
        return PackedWeights.pack(c.spec(), w, b, bn, arena);
    }
}
