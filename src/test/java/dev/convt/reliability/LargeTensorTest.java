package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Tensors past 2^31 bytes and elements, where any index kept in an int would wrap. Opt-in: about
 * 9 GiB of native memory and a few minutes on 2 cores; run with
 * {@code ./mvnw -B test -Dtest=LargeTensorTest -Dconvt.large=true}.
 *
 * <p>The full reference would take hours, so each test checks that every output element was
 * written (none keeps the fill pattern) and compares a sample of elements, including those at
 * the 2^29 and 2^31 element boundaries (2^31 and 2^33 bytes) and the last, with a scalar sum of
 * just that element's terms.
 */
@EnabledIfSystemProperty(named = "convt.large", matches = "true")
class LargeTensorTest {

    private static final int SAMPLES = 4000;

    /** 2.15e9 output elements (8.6 GB) from a 67M-element input on the pixel-vectorized path. */
    @Test
    void outputOfMoreThan2To31Elements() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 2, 4, 4).stride(4).build();
        check(spec, new long[] {1, 1, 8192, 8200});
    }

    /** A 2.2 GB input of small maps with many channels, on the channel-vectorized path. */
    @Test
    void inputOfMoreThan2To31BytesOnSmallMaps() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(256, 32, 4, 4).stride(2).padding(1).build();
        check(spec, new long[] {33_000, 256, 8, 8});
    }

    private static void check(ConvTransposeSpec spec, long[] inputShape) {
        ConvTransposeGeometry g = spec.geometry(inputShape);
        assertTrue(g.inputCount() * Float.BYTES > 1L << 31 || g.outputCount() > 1L << 31, g.toString());
        SplittableRandom r = new SplittableRandom(2024);
        float[] w = RandomFloats.uniform(r, (int) spec.weightCount());
        float[] b = new float[spec.outChannels()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() - 0.5);
        }
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(b).build()) {
            Tensor x = Tensor.allocate(arena, inputShape);
            for (long i = 0; i < x.elementCount(); i++) {
                x.setFlat(i, inputValue(i));
            }
            Tensor y = Tensor.allocate(arena, g.outputShape());
            y.fill(RandomCase.UNWRITTEN);
            long t0 = System.nanoTime();
            layer.forward(x, y, 2);
            System.out.printf("[convt.large] %s: forward in %.1f s%n", g, (System.nanoTime() - t0) / 1e9);
            int unwrittenBits = Float.floatToRawIntBits(RandomCase.UNWRITTEN);
            for (long i = 0; i < y.elementCount(); i++) {
                if (Float.floatToRawIntBits(y.getFlat(i)) == unwrittenBits) {
                    fail(g + ": output element " + i + " was never written");
                }
            }
            long last = g.outputCount() - 1;
            LongStream boundaries = LongStream.of(0, 1, (1L << 29) - 1, 1L << 29, (1L << 31) - 1, 1L << 31, (1L << 31) + 1,
                    last - 1, last).filter(i -> i <= last);
            LongStream random = r.longs(SAMPLES, 0, g.outputCount());
            LongStream.concat(boundaries, random).forEach(i -> checkElement(g, x, w, b, y, i));
        }
    }

    /** Deterministic input values in [-1, 1), so nothing but the tensor holds them. */
    private static float inputValue(long i) {
        return ((i * 0x9E3779B97F4A7C15L >>> 40) & 0xFFFF) / 32768f - 1;
    }

    /** One output element by the definition, in double, against the layer's. */
    private static void checkElement(ConvTransposeGeometry g, Tensor x, float[] w, float[] b, Tensor y, long flat) {
        ConvTransposeSpec s = g.spec();
        ConvTransposeGeometry.Axis ay = g.height();
        ConvTransposeGeometry.Axis ax = g.width();
        long ox = flat % ax.out();
        long oy = flat / ax.out() % ay.out();
        int co = (int) (flat / ((long) ax.out() * ay.out()) % s.outChannels());
        long n = flat / ((long) ax.out() * ay.out() * s.outChannels());
        int outPerGroup = s.outChannels() / s.groups();
        int inPerGroup = s.inChannels() / s.groups();
        int group = co / outPerGroup;
        double sum = b[co];
        double magnitude = Math.abs(b[co]);
        int terms = 1;
        for (int ci = group * inPerGroup; ci < (group + 1) * inPerGroup; ci++) {
            for (int ky = 0; ky < ay.kernel(); ky++) {
                long fy = oy + ay.padBegin() - (long) ky * ay.dilation();
                if (fy < 0 || fy % ay.stride() != 0 || fy / ay.stride() >= ay.in()) {
                    continue;
                }
                for (int kx = 0; kx < ax.kernel(); kx++) {
                    long fx = ox + ax.padBegin() - (long) kx * ax.dilation();
                    if (fx < 0 || fx % ax.stride() != 0 || fx / ax.stride() >= ax.in()) {
                        continue;
                    }
                    long inIndex = ((n * s.inChannels() + ci) * ay.in() + fy / ay.stride()) * ax.in() + fx / ax.stride();
                    double term = (double) x.getFlat(inIndex)
                            * w[((ci * outPerGroup + co % outPerGroup) * ay.kernel() + ky) * ax.kernel() + kx];
                    sum += term;
                    magnitude += Math.abs(term);
                    terms++;
                }
            }
        }
        float actual = y.getFlat(flat);
        double allowed = Math.max((terms + 1) * 0x1p-24 * magnitude, Float.MIN_NORMAL);
        if (!(Math.abs(actual - sum) <= allowed)) {
            fail(g + ": output element " + flat + " (n " + n + ", c " + co + ", y " + oy + ", x " + ox + ") is " + actual
                    + ", the definition gives " + sum);
        }
    }
}
