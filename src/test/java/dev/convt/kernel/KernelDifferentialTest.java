package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelDifferentialTest {

    /** Scatter definition in double: the oracle until the reference package lands. */
    static double[][] scatter(ConvTransposeGeometry g, float[] x, float[] w, float[] b) {
        ConvTransposeSpec s = g.spec();
        int cin = s.inChannels(), cout = s.outChannels(), groups = s.groups();
        int cig = cin / groups, cog = cout / groups;
        var ay = g.height();
        var ax = g.width();
        int oh = ay.out(), ow = ax.out();
        double[] y = new double[(int) g.outputCount()];
        double[] mag = new double[y.length];
        for (int n = 0; n < g.batch(); n++) {
            for (int ci = 0; ci < cin; ci++) {
                int grp = ci / cig;
                for (int iy = 0; iy < ay.in(); iy++) {
                    for (int ix = 0; ix < ax.in(); ix++) {
                        double xv = x[((n * cin + ci) * ay.in() + iy) * ax.in() + ix];
                        for (int cl = 0; cl < cog; cl++) {
                            int co = grp * cog + cl;
                            for (int ky = 0; ky < ay.kernel(); ky++) {
                                int oy = iy * ay.stride() + ky * ay.dilation() - ay.padBegin();
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                for (int kx = 0; kx < ax.kernel(); kx++) {
                                    int ox = ix * ax.stride() + kx * ax.dilation() - ax.padBegin();
                                    if (ox < 0 || ox >= ow) {
                                        continue;
                                    }
                                    double p = xv * w[((ci * cog + cl) * ay.kernel() + ky) * ax.kernel() + kx];
                                    int o = ((n * cout + co) * oh + oy) * ow + ox;
                                    y[o] += p;
                                    mag[o] += Math.abs(p);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int o = 0; o < y.length; o++) {
            int co = (o / (oh * ow)) % cout;
            if (b != null) {
                y[o] += b[co];
                mag[o] += Math.abs(b[co]);
            }
        }
        return new double[][] {y, mag};
    }

    static ConvTransposeSpec randomSpec(SplittableRandom r, int maxOutPerGroup) {
        int groups = 1 + r.nextInt(3);
        int cin = groups * (1 + r.nextInt(6));
        int cout = groups * (1 + r.nextInt(maxOutPerGroup));
        int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5);
        int sh = 1 + r.nextInt(4), sw = 1 + r.nextInt(4);
        int dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(3);
        int oph = r.nextInt(Math.max(sh, dh)), opw = r.nextInt(Math.max(sw, dw));
        ConvTransposeSpec.Builder bld = ConvTransposeSpec.builder(cin, cout, kh, kw).stride(sh, sw)
                .dilation(dh, dw).outputPadding(oph, opw).groups(groups).bias(r.nextBoolean());
        switch (r.nextInt(3)) {
            case 0 -> bld.padding(r.nextInt(kh + 2), r.nextInt(kw + 2));
            case 1 -> bld.pads(r.nextInt(kh + 1), r.nextInt(kw + 1), r.nextInt(kh + 1), r.nextInt(kw + 1));
            default -> bld.outputShape(1 + r.nextInt(40), 1 + r.nextInt(70));
        }
        return bld.build();
    }

    @Test
    void matchesScatterDefinitionOnRandomSpecs() {
        SplittableRandom r = new SplittableRandom(12345);
        int checked = 0;
        for (int trial = 0; trial < 3000; trial++) {
            ConvTransposeSpec spec = randomSpec(r, 9);
            long[] inShape = {1 + r.nextInt(2), spec.inChannels(), 1 + r.nextInt(9), 1 + r.nextInt(40)};
            ConvTransposeGeometry g;
            try {
                g = spec.geometry(inShape);
            } catch (IllegalArgumentException e) {
                continue;
            }
            checkOne(spec, g, r);
            checked++;
        }
        assertTrue(checked > 1500, "checked " + checked);
    }

    /** Many output channels on small maps: the plan that vectorizes over channels. */
    @Test
    void matchesScatterDefinitionWithManyChannelsOnSmallMaps() {
        SplittableRandom r = new SplittableRandom(777);
        int checked = 0;
        for (int trial = 0; trial < 400; trial++) {
            ConvTransposeSpec spec = randomSpec(r, 90);
            long[] inShape = {1 + r.nextInt(2), spec.inChannels(), 1 + r.nextInt(6), 1 + r.nextInt(6)};
            ConvTransposeGeometry g;
            try {
                g = spec.geometry(inShape);
            } catch (IllegalArgumentException e) {
                continue;
            }
            checkOne(spec, g, r);
            checked++;
        }
        assertTrue(checked > 200, "checked " + checked);
    }

    static void checkOne(ConvTransposeSpec spec, ConvTransposeGeometry g, SplittableRandom r) {
        float[] x = new float[(int) g.inputCount()];
        float[] w = new float[(int) spec.weightCount()];
        float[] b = spec.hasBias() ? new float[spec.outChannels()] : null;
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
        if (b != null) for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        double[][] ref = scatter(g, x, w, b);
        try (Arena arena = Arena.ofConfined()) {
            ConvTransposeLayer.Builder lb = ConvTransposeLayer.builder(spec).weights(w);
            if (b != null) lb.bias(b);
            try (ConvTransposeLayer layer = lb.build()) {
                Tensor tx = Tensor.of(arena, x, g.inputShape());
                Tensor ty = Tensor.allocate(arena, g.outputShape());
                ty.fill(Float.NaN);
                layer.forward(tx, ty);
                float[] y = ty.toArray();
                for (int i = 0; i < y.length; i++) {
                    double tol = 1e-5 * ref[1][i] + 1e-6;
                    if (!(Math.abs(y[i] - ref[0][i]) <= tol)) {
                        throw new AssertionError(spec + " " + g + ": element " + i + " = " + y[i] + ", expected "
                                + ref[0][i] + " (tol " + tol + ")");
                    }
                }
            }
        }
    }
}
