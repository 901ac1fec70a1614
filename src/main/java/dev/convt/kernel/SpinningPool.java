package dev.convt.kernel;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The executor behind {@code forward(input, output, threads)}: daemon workers that, after a job,
 * keep polling for the next one for {@link #SPIN_NANOS} before they park. Handing a job to a
 * parked thread costs an OS wake-up, and on a virtual machine whose idle vCPU has halted that is
 * tens to hundreds of microseconds, as long as a whole small layer; layers run back to back, so a
 * worker that is still polling takes the next call's tasks at once.
 *
 * <p>{@link #offer} hands a job to an idle worker, starting one only when all are busy, and never
 * allocates once the pool has as many workers as callers ask for. The pool stops at one worker
 * fewer than the processors (the caller computes too), so on one processor it has none: more
 * threads than cores only take turns, and a polling worker would take the core of one that
 * computes. Past that it refuses the job ({@code offer} returns false, {@link #execute} throws
 * {@link RejectedExecutionException}), and the caller runs the tasks no worker took. A job handed
 * over always runs at once.
 *
 * <p>A worker clears its interrupt status before parking and before each job: an interrupt (from
 * a job, or from anyone holding the thread) would otherwise make every {@code park} return at once,
 * and the idle worker would spin on a core for the life of the JVM.
 */
final class SpinningPool implements Executor {

    /** How long an idle worker polls before parking: covers the gap between consecutive layers. */
    static final long SPIN_NANOS = 200_000;

    /** The most workers the pool starts: one fewer than the processors, since the caller computes too. */
    static final int MAX_WORKERS = Runtime.getRuntime().availableProcessors() - 1;

    /** Replaced, never changed, when a worker is added, so {@link #offer} scans it without a lock. */
    private volatile Worker[] workers = new Worker[0];

    /**
     * How long {@link #offer} waits for a busy worker before starting another. A worker releases
     * itself only after its job returns, a moment after the caller has seen the job's last task
     * finish and may already be submitting its next call; without the wait that call would start
     * a thread, and the pool would fill with spinning threads.
     */
    private static final long CLAIM_NANOS = 20_000;

    @Override
    public void execute(Runnable job) {
        if (!offer(job)) {
            throw new RejectedExecutionException(MAX_WORKERS == 0 ? "convt starts no worker on one processor"
                    : "all " + MAX_WORKERS + " convt workers are busy");
        }
    }

    /**
     * Hands {@code job} to an idle worker, or to a new one while the pool is below its limit;
     * {@return false, allocating nothing, when every worker stayed busy}
     */
    boolean offer(Runnable job) {
        long deadline = System.nanoTime() + CLAIM_NANOS;
        do {
            for (Worker w : workers) {
                if (w.busy.compareAndSet(false, true)) {
                    w.hand(job);
                    return true;
                }
            }
            Thread.onSpinWait();
        } while (workers.length > 0 && System.nanoTime() - deadline < 0);
        synchronized (this) {
            if (workers.length >= MAX_WORKERS) {
                return false;
            }
            Worker w = new Worker();
            w.busy.set(true);
            Worker[] grown = Arrays.copyOf(workers, workers.length + 1);
            grown[workers.length] = w;
            workers = grown;
            w.hand(job);
            w.thread.start();
            return true;
        }
    }

    private final class Worker implements Runnable {
        /** Claimed by {@link #offer} before a job is handed over, released when the job is done. */
        final AtomicBoolean busy = new AtomicBoolean();
        final Thread thread = new Thread(this, "convt-worker");
        volatile Runnable job;
        volatile boolean parked;

        Worker() {
            thread.setDaemon(true);
        }

        void hand(Runnable r) {
            job = r;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            while (true) {
                Runnable r = await();
                job = null;
                // An interrupt left by the previous job, or sent while idle, is not this job's.
                Thread.interrupted();
                try {
                    r.run();
                } catch (Throwable t) {
                    Thread.UncaughtExceptionHandler h = thread.getUncaughtExceptionHandler();
                    h.uncaughtException(thread, t);
                } finally {
                    busy.set(false);
                }
            }
        }

        private Runnable await() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            Runnable r;
            while ((r = job) == null && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            while (r == null) {
                parked = true;
                // A job handed over between the flag and the park leaves a permit, so park returns.
                if ((r = job) == null) {
                    // With the interrupt status set, park would return at once, every time.
                    Thread.interrupted();
                    LockSupport.park(this);
                    r = job;
                }
                parked = false;
            }
            return r;
        }
    }
}
