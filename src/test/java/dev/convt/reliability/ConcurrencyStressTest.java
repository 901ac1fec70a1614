package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Many threads on shared layers: every call's result is bitwise equal to the single-threaded one,
 * whatever the thread count, the entry point, or what other threads run on the same layer (other
 * input shapes switch the layer's cached plan); and {@code close} during use lets calls in flight
 * finish, then refuses later calls with a clear {@link IllegalStateException}.
 */
class ConcurrencyStressTest {

    private static final int CALLERS = 8;
    private static final ExecutorService CALLER_POOL = Executors.newFixedThreadPool(CALLERS, r -> {
        Thread t = new Thread(r, "convt-stress-caller");
        t.setDaemon(true);
        return t;
    });
    /** An executor of the caller's own, for {@code forward(in, out, executor, parallelism)}. */
    private static final ExecutorService CALLERS_EXECUTOR = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "convt-stress-executor");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void stopPools() {
        CALLER_POOL.shutdownNow();
        CALLERS_EXECUTOR.shutdownNow();
    }

    /** One input shape of a shared layer, with its input and the single-threaded result. */
    private record Job(ConvTransposeLayer layer, long[] inputShape, float[] input, float[] expected) {}

    private static ConvTransposeLayer layer(ConvTransposeSpec spec, Epilogue epilogue, Random r) {
        ConvTransposeLayer.Builder b = ConvTransposeLayer.builder(spec).weights(RandomFloats.uniform(r, (int) spec.weightCount()))
                .epilogue(epilogue);
        if (spec.hasBias()) {
            b.bias(RandomFloats.uniform(r, spec.outChannels()));
        }
        return b.build();
    }


    private static float[] runOnce(ConvTransposeLayer layer, long[] shape, float[] input, int mode, int threads) {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.of(arena, input, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            switch (mode) {
                case 0 -> layer.forward(x, y);
                case 1 -> layer.forward(x, y, threads);
                default -> layer.forward(x, y, CALLERS_EXECUTOR, threads);
            }
            return y.toArray();
        }
    }

    private static List<Job> jobs(List<ConvTransposeLayer> layers, List<List<long[]>> shapes, Random r) {
        List<Job> jobs = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            for (long[] shape : shapes.get(l)) {
                float[] input = RandomFloats.uniform(r, (int) layers.get(l).spec().geometry(shape).inputCount());
                jobs.add(new Job(layers.get(l), shape, input, runOnce(layers.get(l), shape, input, 0, 1)));
            }
        }
        return jobs;
    }

    @Test
    void sharedLayersGiveBitwiseEqualResultsToEightConcurrentCallers() throws Exception {
        Random r = new Random(42);
        List<ConvTransposeLayer> layers = List.of(
                layer(ConvTransposeSpec.builder(16, 8, 4, 4).stride(2).padding(1).build(), Epilogue.relu(), r),
                layer(ConvTransposeSpec.builder(24, 64, 4, 4).stride(2).padding(1).build(), Epilogue.leakyRelu(0.2f), r),
                layer(ConvTransposeSpec.builder1d(6, 9, 5).stride(3).groups(3).build(), Epilogue.NONE, r),
                layer(ConvTransposeSpec.builder(8, 8, 3, 3).groups(8).dilation(2).outputPadding(1).stride(2).build(),
                        Epilogue.clamp(-0.3f, 0.4f), r),
                // 3-D: maps at least 16 wide (the pixel-tiled plan's) and narrow maps with 32 channels per group.
                layer(ConvTransposeSpec.builder3d(8, 12, 3, 3, 3).stride(2, 1, 2).padding(1, 1, 0).build(), Epilogue.relu(), r),
                layer(ConvTransposeSpec.builder3d(8, 64, 2, 3, 3).stride(2, 1, 2).groups(2).outputPadding(1, 0, 1).build(),
                        Epilogue.tanh(), r));
        List<List<long[]>> shapes = List.of(
                List.of(new long[] {1, 16, 9, 40}, new long[] {2, 16, 5, 7}),
                List.of(new long[] {1, 24, 4, 4}, new long[] {3, 24, 2, 5}),
                List.of(new long[] {2, 6, 200}, new long[] {1, 6, 1, 13}),
                List.of(new long[] {1, 8, 17, 33}, new long[] {2, 8, 3, 3}),
                List.of(new long[] {1, 8, 3, 4, 24}, new long[] {2, 8, 2, 3, 17}),
                List.of(new long[] {1, 8, 3, 4, 5}, new long[] {2, 8, 2, 2, 3}));
        List<Job> jobs = jobs(layers, shapes, r);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong calls = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
            long seed = t;
            callers.add(CALLER_POOL.submit(() -> {
                Random mine = new Random(seed);
                start.await();
                while (System.nanoTime() < deadline) {
                    Job job = jobs.get(mine.nextInt(jobs.size()));
                    int mode = mine.nextInt(3);
                    int threads = 1 + mine.nextInt(4);
                    float[] actual = runOnce(job.layer(), job.inputShape(), job.input(), mode, threads);
                    Tolerance.assertBitwiseEqual(job.expected(), actual, job.layer() + " on " + java.util.Arrays.toString(job.inputShape())
                            + ", mode " + mode + ", threads " + threads);
                    calls.incrementAndGet();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : callers) {
            f.get(60, TimeUnit.SECONDS);
        }
        layers.forEach(ConvTransposeLayer::close);
        assertTrue(calls.get() >= CALLERS * 5L, "only " + calls.get() + " calls ran");
    }

    @Test
    void resultsAreBitwiseEqualForOneTwoThreeAndEightThreads() {
        for (long seed = 0x7EAD_0000L; seed < 0x7EAD_0000L + 40; seed++) {
            assertTheSameBitsOnAnyThreadCount(RandomCase.generate(seed, RandomCase.Options.FUZZ));
        }
    }

    @Test
    void threeDResultsAreBitwiseEqualForOneTwoThreeAndEightThreads() {
        for (long seed = 0x7EAD_3000L; seed < 0x7EAD_3000L + 16; seed++) {
            assertTheSameBitsOnAnyThreadCount(RandomCase.generate(seed, RandomCase.Options.TILED_3D));
        }
    }

    private static void assertTheSameBitsOnAnyThreadCount(RandomCase c) {
        try (ConvTransposeLayer layer = c.layer()) {
            float[] one = runOnce(layer, c.inputShape(), c.input(), 0, 1);
            for (int threads : new int[] {1, 2, 3, 8}) {
                Tolerance.assertBitwiseEqual(one, runOnce(layer, c.inputShape(), c.input(), 1, threads), c + ", threads " + threads);
                Tolerance.assertBitwiseEqual(one, runOnce(layer, c.inputShape(), c.input(), 2, threads), c + ", executor " + threads);
            }
        }
    }

    @Test
    void closeWaitsForCallsInFlightThenRefusesNewOnes() throws Exception {
        Random r = new Random(7);
        // Enough work per call (milliseconds) that close() lands while calls are running.
        ConvTransposeLayer layer = layer(ConvTransposeSpec.builder(32, 32, 4, 4).stride(2).padding(1).build(),
                Epilogue.NONE, r);
        long[] shape = {1, 32, 24, 24};
        float[] input = RandomFloats.uniform(r, 32 * 24 * 24);
        float[] expected = runOnce(layer, shape, input, 0, 1);
        AtomicBoolean closing = new AtomicBoolean();
        AtomicLong completed = new AtomicLong();
        AtomicLong completedAfterClose = new AtomicLong();
        ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
        CountDownLatch running = new CountDownLatch(CALLERS);
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
            int mode = t % 3;
            callers.add(CALLER_POOL.submit(() -> {
                running.countDown();
                while (true) {
                    boolean closeRequested = closing.get();
                    float[] actual;
                    try {
                        actual = runOnce(layer, shape, input, mode, 2);
                    } catch (IllegalStateException e) {
                        refusals.add(e.getMessage());
                        return null;
                    }
                    Tolerance.assertBitwiseEqual(expected, actual, "a call that completed around close()");
                    completed.incrementAndGet();
                    if (closeRequested) {
                        completedAfterClose.incrementAndGet();
                    }
                }
            }));
        }
        running.await();
        Thread.sleep(300);
        closing.set(true);
        long t0 = System.nanoTime();
        layer.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        for (Future<?> f : callers) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertTrue(completed.get() > 0, "no call completed before close");
        assertEquals(CALLERS, refusals.size(), "every caller is refused once the layer is closed");
        assertTrue(refusals.stream().allMatch("layer is closed"::equals), "refusals: " + refusals);
        assertTrue(closeMillis < 30_000, "close took " + closeMillis + " ms");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, input, shape);
            Tensor y = Tensor.allocate(arena, 1, 32, 48, 48);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> layer.forward(x, y));
            assertEquals("layer is closed", e.getMessage());
        }
        layer.close();
    }

    /** Servers on virtual threads: each call runs on a fresh thread, with a fresh workspace. */
    @Test
    void virtualThreadCallersGetTheSingleThreadedResult() throws Exception {
        Random r = new Random(43);
        List<ConvTransposeLayer> layers = List.of(
                layer(ConvTransposeSpec.builder(16, 8, 4, 4).stride(2).padding(1).build(), Epilogue.relu(), r),
                layer(ConvTransposeSpec.builder(24, 64, 3, 3).stride(2).build(), Epilogue.NONE, r));
        List<Job> jobs = jobs(layers, List.of(List.of(new long[] {1, 16, 9, 40}), List.of(new long[] {2, 24, 3, 5})), r);
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Job job = jobs.get(i % jobs.size());
                int mode = i % 3;
                calls.add(virtual.submit(() -> {
                    Tolerance.assertBitwiseEqual(job.expected(), runOnce(job.layer(), job.inputShape(), job.input(), mode, 2),
                            job.layer() + " on a virtual thread, mode " + mode);
                    return null;
                }));
            }
            for (Future<?> f : calls) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        layers.forEach(ConvTransposeLayer::close);
    }

    /**
     * The caller's own arena closed while forward reads and writes it (a bug in the caller, but
     * it must not crash the JVM, hang, or corrupt anything): forward ends, normally or with an
     * {@link IllegalStateException}.
     */
    @Test
    void closingATensorsArenaDuringForwardEndsWithIllegalStateException() throws Exception {
        Random r = new Random(44);
        ConvTransposeLayer layer = layer(ConvTransposeSpec.builder(32, 32, 4, 4).stride(2).padding(1).build(),
                Epilogue.NONE, r);
        long[] shape = {2, 32, 24, 24};
        int refused = 0;
        for (int round = 0; round < 20; round++) {
            Arena arena = Arena.ofShared();
            Tensor x = Tensor.of(arena, RandomFloats.uniform(r, 2 * 32 * 24 * 24), shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            int threads = 1 + round % 3;
            Future<?> call = CALLER_POOL.submit(() -> {
                for (int i = 0; i < 1000; i++) {
                    layer.forward(x, y, threads);
                }
                return null;
            });
            Thread.sleep(5 + round);
            try {
                arena.close();
            } catch (IllegalStateException inUse) {
                // A shared arena may refuse to close while a thread accesses it; the call then
                // finishes normally, and the arena is closed after it.
                call.get(60, TimeUnit.SECONDS);
                arena.close();
                continue;
            }
            try {
                call.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IllegalStateException, "forward on a closed arena threw " + e.getCause());
                refused++;
            }
        }
        layer.close();
        assertTrue(refused > 0, "the arena never closed while forward ran");
    }

    @Test
    void forwardDoesNotReturnWhileItsWorkersStillWrite() throws Exception {
        Random r = new Random(11);
        ConvTransposeLayer layer = layer(ConvTransposeSpec.builder(32, 32, 4, 4).stride(2).padding(1).build(),
                Epilogue.NONE, r);
        long[] shape = {4, 32, 32, 32};
        float[] input = RandomFloats.uniform(r, 4 * 32 * 32 * 32);
        CountDownLatch returned = new CountDownLatch(1);
        int[] submissions = {0};
        // The first worker starts only once forward has returned; the second submission fails as a
        // saturated executor or one whose thread factory throws would.
        java.util.concurrent.Executor executor = task -> {
            if (submissions[0]++ == 0) {
                Thread late = new Thread(() -> {
                    try {
                        returned.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    task.run();
                });
                late.setDaemon(true);
                late.start();
            } else {
                throw new IllegalStateException("executor cannot take more work");
            }
        };
        try (Arena arena = Arena.ofShared(); layer) {
            Tensor x = Tensor.of(arena, input, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            float[] before;
            try {
                layer.forward(x, y, executor, 3);
            } catch (IllegalStateException thrownByTheExecutor) {
                // Either outcome is acceptable; what forward must not do is keep writing after it ends.
            } finally {
                before = y.toArray();
                returned.countDown();
            }
            Thread.sleep(500);
            assertArrayEquals(before, y.toArray(), "the output changed after forward returned");
        }
    }

    @Test
    void weightsOfAnotherThreadsConfinedArenaAreRefusedWithIllegalStateException() throws Exception {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 1, 1).bias(false).build();
        try (Arena confined = Arena.ofConfined()) {
            ConvTransposeLayer.Builder builder = ConvTransposeLayer.builder(spec).weights(confined.allocate(Float.BYTES));
            Future<?> build = CALLER_POOL.submit(() -> assertThrows(IllegalStateException.class, builder::build));
            build.get(60, TimeUnit.SECONDS);
        }
    }
}
