package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Spreads an {@link ExecutionPlan}'s tasks over worker threads. Tasks are claimed from a shared
 * counter; which thread runs a task never changes what it computes, so the output is the same
 * bit for bit for any number of workers.
 */
public final class TaskRunner {

    private TaskRunner() {}

    private static final class SharedPool {
        static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "convt-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** @return the library's pool of daemon threads, created on first use */
    public static Executor sharedPool() {
        return SharedPool.POOL;
    }

    /**
     * Runs every task of {@code plan}, on the calling thread and up to {@code parallelism - 1}
     * workers from {@code executor}. Returns when all tasks are done; rethrows the first failure.
     * The caller waits for tasks, not for workers, so workers the executor starts late (or never)
     * cannot stall it.
     */
    public static void run(ExecutionPlan plan, MemorySegment in, MemorySegment out, Executor executor,
            int parallelism) {
        int tasks = plan.taskCount();
        int workers = Math.min(parallelism, tasks);
        if (workers <= 1) {
            plan.runAll(in, out);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> work(plan, in, out, tasks, next, finished, failure);
        for (int w = 1; w < workers; w++) {
            try {
                executor.execute(worker);
            } catch (RejectedExecutionException e) {
                break;
            }
        }
        work(plan, in, out, tasks, next, finished, failure);
        while (finished.get() < tasks) {
            Thread.onSpinWait();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }

    private static void work(ExecutionPlan plan, MemorySegment in, MemorySegment out, int tasks, AtomicInteger next,
            AtomicInteger finished, AtomicReference<Throwable> failure) {
        for (int task; (task = next.getAndIncrement()) < tasks; ) {
            try {
                if (failure.get() == null) {
                    plan.runTask(task, in, out);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                finished.incrementAndGet();
            }
        }
    }
}
