package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Spreads an {@link ExecutionPlan}'s tasks over worker threads. Tasks are claimed from a shared
 * counter; which thread runs a task never changes what it computes, so the output is the same
 * bit for bit for any number of workers.
 */
public final class TaskRunner {

    private TaskRunner() {}

    private static final class SharedPool {
        static final SpinningPool POOL = new SpinningPool();
    }

    /** {@return the library's pool of daemon threads, created on first use} */
    public static Executor sharedPool() {
        return SharedPool.POOL;
    }

    /** One call's shared state: the next task, the tasks finished, the first failure, who waits. */
    private static final class Call implements Runnable {
        final ExecutionPlan plan;
        final MemorySegment in;
        final MemorySegment out;
        final long tasks;
        final Thread caller = Thread.currentThread();
        final AtomicLong next = new AtomicLong();
        final AtomicLong finished = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Call(ExecutionPlan plan, MemorySegment in, MemorySegment out) {
            this.plan = plan;
            this.in = in;
            this.out = out;
            this.tasks = plan.taskCount();
        }

        @Override
        public void run() {
            for (long task; (task = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure.get() == null) {
                        plan.runTask(task, in, out);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (finished.incrementAndGet() == tasks) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    /**
     * Runs every task of {@code plan}, on the calling thread and up to {@code parallelism - 1}
     * workers from {@code executor}. Returns only when every task has finished, so no worker writes
     * to {@code out} after it; rethrows the first failure. The caller waits for tasks, not for
     * workers: a worker the executor starts late (or never, or refuses with any exception) finds
     * no task left.
     */
    public static void run(ExecutionPlan plan, MemorySegment in, MemorySegment out, Executor executor,
            int parallelism) {
        long tasks = plan.taskCount();
        long workers = Math.min(parallelism, tasks);
        if (workers <= 1) {
            plan.runAll(in, out);
            return;
        }
        Call call = new Call(plan, in, out);
        Throwable submitFailure = null;
        for (long w = 1; w < workers; w++) {
            try {
                executor.execute(call);
            } catch (Throwable t) {
                submitFailure = t;
                break;
            }
        }
        call.run();
        // The last task of another worker is usually under way and short: poll before parking.
        long deadline = System.nanoTime() + SpinningPool.SPIN_NANOS;
        while (call.finished.get() < tasks && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        while (call.finished.get() < tasks) {
            LockSupport.park(call);
        }
        Throwable t = call.failure.get();
        if (t == null && submitFailure != null && !(submitFailure instanceof java.util.concurrent.RejectedExecutionException)) {
            t = submitFailure;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }
}
