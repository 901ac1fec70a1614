package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Closing a layer: it returns once the calls admitted before it are done, whatever other threads
 * keep trying; it refuses to wait for the calling thread's own call; whatever a call throws, it
 * leaves. The time limits are hang detectors, far above what these take.
 */
class LayerLifecycleTest {

    /** Enough tasks (output channels and rows) that {@code forward} hands work to an executor. */
    private static final ConvTransposeSpec SPEC = ConvTransposeSpec.builder(16, 16, 4, 4).stride(2).padding(1).build();
    private static final long[] INPUT = {1, 16, 16, 16};

    private static ConvTransposeLayer layer() {
        SplittableRandom r = new SplittableRandom(5);
        float[] w = new float[(int) SPEC.weightCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextDouble(-1, 1);
        }
        return ConvTransposeLayer.builder(SPEC).weights(w).bias(new float[SPEC.outChannels()]).build();
    }

    private static Tensor input(Arena arena) {
        Tensor x = Tensor.allocate(arena, INPUT);
        for (long i = 0; i < x.elementCount(); i++) {
            x.setFlat(i, (i % 7) - 3);
        }
        return x;
    }

    /**
     * Four threads keep calling a layer, before and after it closes: close must not wait for the
     * refused calls (counting each in flight before checking showed a count that never read zero).
     */
    @Test
    void closeReturnsWhileOtherThreadsKeepCallingAndBeingRefused() throws Exception {
        int callers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(callers + 1);
        ConvTransposeLayer layer = layer();
        ConvTransposePlan plan = layer.plan(INPUT);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        CountDownLatch started = new CountDownLatch(callers);
        List<Future<?>> hammering = new ArrayList<>();
        try {
            for (int t = 0; t < callers; t++) {
                int mode = t;
                hammering.add(pool.submit(() -> {
                    try (Arena arena = Arena.ofShared()) {
                        Tensor x = input(arena);
                        Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
                        started.countDown();
                        while (!stop.get()) {
                            try {
                                switch (mode % 3) {
                                    case 0 -> layer.forward(x, y);
                                    case 1 -> layer.forward(x, y, 2);
                                    default -> plan.forward(x, y);
                                }
                                calls.incrementAndGet();
                            } catch (IllegalStateException e) {
                                assertEquals("layer is closed", e.getMessage());
                                refused.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            started.await();
            while (calls.get() < 20) {
                Thread.sleep(1);
            }
            Future<?> closing = pool.submit(layer::close);
            try {
                closing.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("close() did not return within 10 s while " + callers + " threads kept calling the layer ("
                        + refused.get() + " calls refused)");
            }
            long refusedAtClose = refused.get();
            while (refused.get() < refusedAtClose + 100) {
                Thread.sleep(1);
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "callers did not stop");
        }
        for (Future<?> f : hammering) {
            f.get();
        }
        assertTrue(refused.get() >= 100, refused.get() + " refusals");
    }

    /**
     * An executor that runs a worker on the calling thread and closes the layer there: close would
     * wait for its own call. It is refused, the call completes, and the layer stays usable.
     */
    @Test
    void closeFromTheExecutorOnTheCallingThreadIsRefused() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = layer()) {
                Tensor x = input(arena);
                Tensor expected = Tensor.allocate(arena, layer.outputShape(INPUT));
                layer.forward(x, expected);
                AtomicReference<IllegalStateException> refusal = new AtomicReference<>();
                Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
                layer.forward(x, y, job -> {
                    refusal.set(closeRefusal(layer));
                    job.run();
                }, 2);
                assertNotNull(refusal.get(), "the executor was never used, or close() did not refuse");
                assertTrue(refusal.get().getMessage().contains("close() called from inside this layer's forward"),
                        refusal.get().getMessage());
                assertTrue(refusal.get().getMessage().contains("Executor"), refusal.get().getMessage());
                assertArrayEquals(expected.toArray(), y.toArray());
                layer.forward(x, y);
                assertArrayEquals(expected.toArray(), y.toArray());
            }
        });
    }

    /** {@return what {@code close()} throws, or null when it closes the layer} */
    private static IllegalStateException closeRefusal(ConvTransposeLayer layer) {
        try {
            layer.close();
            return null;
        } catch (IllegalStateException e) {
            return e;
        }
    }

    /** An Error on behalf of a call (here the executor's) still lets the call leave, so close returns. */
    @Test
    void anErrorThrownInsideForwardStillLetsCloseReturn() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            ConvTransposeLayer layer = layer();
            try (Arena arena = Arena.ofShared()) {
                Tensor x = input(arena);
                Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
                Error e = assertThrows(Error.class, () -> layer.forward(x, y, job -> {
                    throw new OutOfMemoryError("test: unable to create native thread");
                }, 2));
                assertEquals("test: unable to create native thread", e.getMessage());
            }
            layer.close();
            assertThrows(IllegalStateException.class, () -> layer.plan(INPUT));
        });
    }

    /**
     * close() waits for a call admitted before it, even with its thread's interrupt flag set
     * (park returns at once while the flag is set), and leaves the flag set.
     */
    @Test
    void closeWaitsForAnAdmittedCallAndKeepsTheInterruptFlag() throws Exception {
        ConvTransposeLayer layer = layer();
        CountDownLatch inExecutor = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> flagAfterClose = new AtomicReference<>();
        try (Arena arena = Arena.ofShared()) {
            Tensor x = input(arena);
            Tensor y = Tensor.allocate(arena, layer.outputShape(INPUT));
            CompletableFuture<Void> call = CompletableFuture.runAsync(() -> layer.forward(x, y, job -> {
                inExecutor.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                // Refused: the caller then runs every task itself.
                throw new java.util.concurrent.RejectedExecutionException("test");
            }, 2));
            assertTrue(inExecutor.await(30, TimeUnit.SECONDS));
            Thread closer = new Thread(() -> {
                Thread.currentThread().interrupt();
                layer.close();
                flagAfterClose.set(Thread.currentThread().isInterrupted());
            });
            closer.start();
            closer.join(300);
            assertTrue(closer.isAlive(), "close() returned while a call was still running");
            assertFalse(call.isDone());
            release.countDown();
            call.get(30, TimeUnit.SECONDS);
            closer.join(30_000);
            assertFalse(closer.isAlive(), "close() did not return after the call finished");
        }
        assertEquals(Boolean.TRUE, flagAfterClose.get(), "close() cleared the interrupt flag");
    }
}
