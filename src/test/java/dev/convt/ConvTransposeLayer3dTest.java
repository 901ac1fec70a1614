package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.kernel.ExecutionPlan;
import dev.convt.reference.DirectReference;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A 3-D layer through the public API, on rank-5 tensors: results against the reference, the same
 * bits on any thread count, no allocation per call, nothing written outside the output, and a
 * folded BatchNorm.
 */
class ConvTransposeLayer3dTest {

    /** Every parameter off its default, differing per axis. */
    private static final ConvTransposeSpec SPEC = ConvTransposeSpec.builder3d(6, 4, 3, 2, 4).stride(2, 1, 3)
            .pads(1, 0, 2, 0, 1, 1).outputPadding(1, 0, 2).dilation(1, 2, 1).groups(2).build();
    private static final long[] INPUT = {2, 6, 3, 4, 5};

    private static final float[] W = RandomFloats.uniform(new Random(3), (int) SPEC.weightCount());
    private static final float[] B = RandomFloats.uniform(new Random(4), 4);
    private static final float[] X = RandomFloats.uniform(new Random(5), (int) SPEC.geometry(INPUT).inputCount());

    private static ConvTransposeLayer layer() {
        return ConvTransposeLayer.builder(SPEC).weights(W).bias(B).build();
    }

    @Test
    void resultsMatchTheReferenceAndAreTheSameBitsOnAnyThreadCount() {
        ConvTransposeGeometry g = SPEC.geometry(INPUT);
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, X, W, B, null);
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
            Tensor x = Tensor.of(arena, X, INPUT);
            Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
            assertArrayEquals(g.outputShape(), y.shape());
            assertEquals(5, y.rank());
            layer.forward(x, y);
            float[] single = y.toArray();
            Tolerance.assertClose("3-D layer", expected, SPEC, single);
            for (int threads = 2; threads <= 4; threads++) {
                y.fill(Float.NaN);
                layer.forward(x, y, threads);
                Tolerance.assertBitwiseEqual(single, y.toArray(), threads + " threads");
            }
            assertEquals(ExecutionPlan.Kind.PIXEL_TILED, layer.plan(INPUT).executionPlan().kind());
        }
    }

    @Test
    void callsAfterTheFirstAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
            Tensor x = Tensor.of(arena, X, INPUT);
            Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
            // Until C2 has compiled the vector kernels, the interpreter boxes their vectors.
            for (int i = 0; i < 3_000; i++) {
                layer.forward(x, y);
                layer.forward(x, y, 2);
            }
            int calls = 100;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                layer.forward(x, y);
                layer.forward(x, y, 2);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 4_096, allocated + " bytes allocated in " + 2 * calls + " calls");
        }
    }

    @Test
    void nothingIsWrittenOutsideTheOutput() {
        long count = SPEC.geometry(INPUT).outputCount();
        int margin = 64;
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
            MemorySegment all = arena.allocate((count + 2L * margin) * Float.BYTES, Tensor.ALIGNMENT);
            all.fill((byte) 0x7f);
            Tensor y = Tensor.wrap(all.asSlice((long) margin * Float.BYTES, count * Float.BYTES),
                    layer.outputShape(INPUT));
            layer.forward(Tensor.of(arena, X, INPUT), y, 3);
            for (long i = 0; i < margin; i++) {
                assertEquals(0x7f7f7f7f, all.getAtIndex(ValueLayout.JAVA_INT, i), "before the output, int " + i);
                assertEquals(0x7f7f7f7f, all.getAtIndex(ValueLayout.JAVA_INT, margin + count + i),
                        "after the output, int " + i);
            }
        }
    }

    @Test
    void aFoldedBatchNormScalesEachOutputChannel() {
        float[] gamma = {1.5f, -0.5f, 2f, 0.25f};
        float[] beta = {0.1f, 0.2f, -0.3f, 0f};
        float[] mean = {0.5f, -1f, 0f, 2f};
        float[] variance = {1f, 4f, 0.25f, 9f};
        float eps = 1e-3f;
        ConvTransposeGeometry g = SPEC.geometry(INPUT);
        float[] plain = DirectReference.forwardWithMagnitudes(g, X, W, B, null).output();
        long plane = g.outputPlane();
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(SPEC).weights(W).bias(B)
                        .foldBatchNorm(gamma, beta, mean, variance, eps).build()) {
            Tensor y = Tensor.allocate(arena, g.outputShape());
            layer.forward(Tensor.of(arena, X, INPUT), y);
            float[] actual = y.toArray();
            for (int i = 0; i < actual.length; i++) {
                int c = (int) (i / plane % 4);
                double scale = gamma[c] / Math.sqrt(variance[c] + (double) eps);
                double want = (plain[i] - mean[c]) * scale + beta[c];
                assertEquals(want, actual[i], 1e-4 * (1 + Math.abs(want)), "element " + i + ", channel " + c);
            }
        }
    }

    @Test
    void shapesOfTheWrongRankAreRefused() {
        try (Arena arena = Arena.ofConfined(); ConvTransposeLayer layer = layer()) {
            Tensor x4 = Tensor.allocate(arena, 2, 6, 4, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(x4, Tensor.allocate(arena, 2, 4, 4, 5)));
            assertTrue(e.getMessage().contains("3-D spec: expected (N, C, D, H, W)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> ConvTransposeLayer.builder(SPEC).weights(Tensor.allocate(arena, 6, 2, 6, 4)).bias(B).build());
            assertTrue(e.getMessage().contains("weights shape (6, 2, 6, 4) != expected (6, 2, 3, 2, 4)"), e.getMessage());
        }
    }
}
