package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared pool's workers after an interrupt, and its cap on workers. */
class PoolLifecycleTest {

    /**
     * Asserts that {@code t} stays parked: a worker spinning on {@code park} (which returns at once
     * while the interrupt status is set) is runnable nearly all the time, so 20 samples 10 ms apart
     * would not all find it waiting.
     */
    private static void assertStaysParked(Thread t) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            Thread.sleep(10);
            assertEquals(Thread.State.WAITING, t.getState(), "sample " + i + " of the idle worker's state");
        }
    }

    @Test
    void anInterruptedWorkerParksWhenIdleAndItsNextJobSeesNoInterrupt() throws Exception {
        SpinningPool pool = new SpinningPool();
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        pool.execute(() -> {
            Thread.currentThread().interrupt();
            worker.complete(Thread.currentThread());
        });
        Thread t = worker.get(10, TimeUnit.SECONDS);
        // Past the 0.2 ms of polling, an idle worker must be parked and use no CPU.
        Thread.sleep(100);
        assertStaysParked(t);

        CompletableFuture<Boolean> sawInterrupt = new CompletableFuture<>();
        pool.execute(() -> sawInterrupt.complete(Thread.currentThread().isInterrupted()));
        assertFalse(sawInterrupt.get(10, TimeUnit.SECONDS), "a job saw the previous job's interrupt");
    }

    @Test
    void aWorkerInterruptedFromOutsideWhileParkedStaysParked() throws Exception {
        SpinningPool pool = new SpinningPool();
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        pool.execute(() -> worker.complete(Thread.currentThread()));
        Thread t = worker.get(10, TimeUnit.SECONDS);
        Thread.sleep(100);
        t.interrupt();
        Thread.sleep(100);
        assertStaysParked(t);
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        pool.execute(() -> ran.complete(true));
        assertTrue(ran.get(10, TimeUnit.SECONDS));
    }

    @Test
    void thePoolStartsAtMostOneWorkerFewerThanTheProcessors() {
        assertEquals(Runtime.getRuntime().availableProcessors() - 1, SpinningPool.MAX_WORKERS);
    }
}
