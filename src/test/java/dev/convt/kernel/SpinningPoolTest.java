package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class SpinningPoolTest {

    @Test
    void runsEachAcceptedJobOnceAndRefusesBeyondItsWorkers() throws InterruptedException {
        SpinningPool pool = new SpinningPool();
        int maxWorkers = SpinningPool.MAX_WORKERS;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(maxWorkers);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < maxWorkers; i++) {
            pool.execute(() -> {
                started.countDown();
                awaitQuietly(release);
                ran.incrementAndGet();
            });
        }
        assertTrue(started.await(10, TimeUnit.SECONDS), "every worker started its job");
        RejectedExecutionException refused = assertThrows(
                RejectedExecutionException.class, () -> pool.execute(ran::incrementAndGet));
        assertTrue(refused.getMessage().contains("busy"), refused.getMessage());
        release.countDown();
        waitFor(() -> ran.get() == maxWorkers);
        // Released workers take new jobs, whether still polling or parked. A worker frees itself a
        // moment after its job's last action, so a refusal in that moment is retried.
        for (int round = 0; round < 200; round++) {
            CountDownLatch done = new CountDownLatch(1);
            executeEventually(pool, done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS), "job of round " + round + " ran");
            if (round % 50 == 0) {
                Thread.sleep(5);
            }
        }
    }

    @Test
    void manySubmittersLoseNoJob() throws InterruptedException {
        SpinningPool pool = new SpinningPool();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        Thread[] submitters = new Thread[6];
        for (int t = 0; t < submitters.length; t++) {
            submitters[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    try {
                        pool.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    } catch (RejectedExecutionException expected) {
                        // All workers busy: the caller runs the work itself.
                    }
                }
            });
            submitters[t].start();
        }
        for (Thread t : submitters) {
            t.join();
        }
        waitFor(() -> ran.get() == accepted.get());
        assertEquals(accepted.get(), ran.get());
        assertTrue(accepted.get() > 0, "some jobs were accepted");
    }

    private static void executeEventually(SpinningPool pool, Runnable job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                pool.execute(job);
                return;
            } catch (RejectedExecutionException busy) {
                assertTrue(System.nanoTime() < deadline, "a worker became free within 10 s");
                Thread.sleep(1);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(condition.getAsBoolean(), "condition met within 10 s");
    }
}
