package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.internal.Shapes;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Per-shape plans: {@link ConvTransposeLayer#plan} against the reference and the layer, and the
 * bounded plan cache behind {@code forward}: no allocation when alternating among a few shapes,
 * and no more than {@link ConvTransposeLayer#CACHED_PLANS} plans kept when there are many.
 */
class ConvTransposePlanTest {

    private static final ConvTransposeSpec SPEC = ConvTransposeSpec.builder(8, 6, 4, 4).stride(2).padding(1).build();

    private static float[] values(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    private static final SplittableRandom RANDOM = new SplittableRandom(13);
    private static final float[] W = values(RANDOM, (int) SPEC.weightCount());
    private static final float[] B = values(RANDOM, SPEC.outChannels());

    private static ConvTransposeLayer layer() {
        return ConvTransposeLayer.builder(SPEC).weights(W).bias(B).build();
    }

    /** A random input of {@code shape}, with the output tensor for it. */
    private record Operands(long[] shape, float[] input, Tensor x, Tensor y) {
        static Operands of(Arena arena, ConvTransposeLayer layer, long seed, long... shape) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] input = values(r, (int) (shape[0] * shape[1] * shape[2] * shape[3]));
            return new Operands(shape, input, Tensor.of(arena, input, shape),
                    Tensor.allocate(arena, layer.outputShape(shape)));
        }

        void assertMatchesReference(String what) {
            DirectReference.Result expected = DirectReference.forwardWithMagnitudes(SPEC.geometry(shape), input, W, B,
                    null);
            Tolerance.assertClose(what, expected, SPEC, y.toArray());
        }
    }

    @Test
    void aPlanComputesTheLayerForItsShapeOnAnyThreadCount() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
            ConvTransposePlan plan = layer.plan(2, 8, 5, 7);
            assertArrayEquals(new long[] {2, 8, 5, 7}, plan.inputShape());
            assertArrayEquals(new long[] {2, 6, 10, 14}, plan.outputShape());
            assertSame(layer, plan.layer());
            Operands o = Operands.of(arena, layer, 1, 2, 8, 5, 7);
            plan.forward(o.x(), o.y());
            o.assertMatchesReference("plan.forward(x, y)");
            float[] single = o.y().toArray();
            Tensor viaLayer = Tensor.allocate(arena, plan.outputShape());
            layer.forward(o.x(), viaLayer);
            assertArrayEquals(single, viaLayer.toArray());
            Tensor threads = Tensor.allocate(arena, plan.outputShape());
            plan.forward(o.x(), threads, 2);
            assertArrayEquals(single, threads.toArray());
            Tensor executor = Tensor.allocate(arena, plan.outputShape());
            plan.forward(o.x(), executor, pool, 3);
            assertArrayEquals(single, executor.toArray());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aPlanRefusesOtherShapesAndAClosedLayer() {
        try (Arena arena = Arena.ofConfined()) {
            ConvTransposeLayer layer = layer();
            ConvTransposePlan plan = layer.plan(1, 8, 4, 4);
            Operands other = Operands.of(arena, layer, 2, 2, 8, 4, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> plan.forward(other.x(), other.y()));
            assertTrue(e.getMessage().contains("input shape (2, 8, 4, 4) != the plan's input shape (1, 8, 4, 4)"),
                    e.getMessage());
            Tensor x = Tensor.allocate(arena, plan.inputShape());
            Tensor wrongOutput = Tensor.allocate(arena, 1, 6, 8, 9);
            e = assertThrows(IllegalArgumentException.class, () -> plan.forward(x, wrongOutput));
            assertTrue(e.getMessage().contains("output shape (1, 6, 8, 9) != expected (1, 6, 8, 8)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> layer.plan(1, 7, 4, 4));
            assertTrue(e.getMessage().contains("input channels 7"), e.getMessage());
            Tensor y = Tensor.allocate(arena, plan.outputShape());
            e = assertThrows(IllegalArgumentException.class, () -> plan.forward(x, y, 0));
            assertTrue(e.getMessage().contains("threads 0 must be at least 1"), e.getMessage());
            layer.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> plan.forward(x, y));
            assertTrue(closed.getMessage().contains("layer is closed"), closed.getMessage());
            closed = assertThrows(IllegalStateException.class, () -> layer.plan(1, 8, 4, 4));
            assertTrue(closed.getMessage().contains("layer is closed"), closed.getMessage());
        }
    }

    @Test
    void theCacheHandsBackOnePlanPerShape() {
        try (ConvTransposeLayer layer = layer()) {
            ConvTransposePlan a = layer.plan(1, 8, 4, 4);
            assertSame(a, layer.plan(1, 8, 4, 4));
            assertNotSame(a, layer.plan(2, 8, 4, 4));
        }
    }

    /**
     * Serving code alternates batch sizes and resolutions. After the first call of each shape, no
     * call allocates: not through the cache behind {@code forward}, not on the shared pool, not
     * through a held plan. (Re-planning on every change, as a single cached plan did, allocated
     * about 22 KB a call.)
     */
    @Test
    void alternatingAmongAFewShapesAllocatesNothingAfterTheFirstCallOfEach() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
            Operands[] shapes = {
                    Operands.of(arena, layer, 3, 1, 8, 6, 6),
                    Operands.of(arena, layer, 4, 2, 8, 6, 6),
                    Operands.of(arena, layer, 5, 1, 8, 10, 12),
                    Operands.of(arena, layer, 6, 2, 8, 10, 12)};
            ConvTransposePlan held = layer.plan(shapes[3].shape());
            // Indexed loops: a for-each would allocate an iterator in the measured code itself.
            Runnable round = () -> {
                for (int s = 0; s < shapes.length; s++) {
                    layer.forward(shapes[s].x(), shapes[s].y());
                    layer.forward(shapes[s].x(), shapes[s].y(), 2);
                }
                held.forward(shapes[3].x(), shapes[3].y());
            };
            for (int i = 0; i < 1_000; i++) {
                round.run();
            }
            int rounds = 200;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                round.run();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // Slack for the measurement itself; re-planning would cost several KB per call.
            assertTrue(allocated < 4_096, allocated + " bytes allocated in " + rounds * 9 + " calls");
            for (Operands o : shapes) {
                o.assertMatchesReference("shape " + Shapes.format(o.shape()));
            }
        }
    }

    /**
     * Many more shapes than the cache holds: every call is still right, and the plans the cache
     * dropped become garbage, so the layer's memory stays bounded by the cache size.
     */
    @Test
    void moreShapesThanTheCacheHoldsStayCorrectAndEvictedPlansAreFreed() throws InterruptedException {
        int count = 3 * ConvTransposeLayer.CACHED_PLANS;
        try (Arena arena = Arena.ofConfined(); ConvTransposeLayer layer = layer()) {
            List<WeakReference<ConvTransposePlan>> made = new ArrayList<>();
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < count; i++) {
                    long[] shape = {1 + i % 2, 8, 2 + i / 2, 3};
                    Operands o = Operands.of(arena, layer, 100 + i, shape);
                    layer.forward(o.x(), o.y());
                    o.assertMatchesReference("pass " + pass + ", shape " + Shapes.format(shape));
                    if (pass == 1) {
                        made.add(new WeakReference<>(layer.plan(shape)));
                    }
                }
            }
            long live = count;
            for (int attempt = 0; attempt < 50 && live > ConvTransposeLayer.CACHED_PLANS; attempt++) {
                System.gc();
                Thread.sleep(20);
                live = made.stream().filter(r -> r.get() != null).count();
            }
            assertTrue(live <= ConvTransposeLayer.CACHED_PLANS,
                    live + " of " + count + " plans still reachable, the cache holds " + ConvTransposeLayer.CACHED_PLANS);
        }
    }
}
