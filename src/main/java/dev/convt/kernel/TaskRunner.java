package dev.convt.kernel;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Spreads an {@link ExecutionPlan}'s tasks over worker threads. The caller claims tasks from the
 * front of the list and the workers from the back, so that call after call the same thread tends
 * to write the same part of the output, whose cache lines then stay in that core's cache. Which
 * thread runs a task never changes what it computes, so the output is the same bit for bit for
 * any number of workers.
 */
public final class TaskRunner {

    private TaskRunner() {}

    private static final class SharedPool {
        static final SpinningPool POOL = new SpinningPool();
        /** Each calling thread's call record, reused: with the shared pool a call allocates nothing. */
        static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);
    }

    /**
     * One call's shared state: the tasks claimed (in all, from the front, from the back), the tasks
     * finished, the first failure, who waits, and how many handed-over jobs have returned.
     */
    private static final class Call implements Runnable {
        ExecutionPlan plan;
        MemorySegment in;
        MemorySegment out;
        long tasks;
        Thread caller;
        final AtomicLong claimed = new AtomicLong();
        final AtomicLong fromFront = new AtomicLong();
        final AtomicLong fromBack = new AtomicLong();
        final AtomicLong finished = new AtomicLong();
        final AtomicLong returned = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        /** Called by the caller only, when no worker holds this record; {@code claimed} publishes the fields. */
        Call reset(ExecutionPlan plan, MemorySegment in, MemorySegment out) {
            this.plan = plan;
            this.in = in;
            this.out = out;
            this.tasks = plan.taskCount();
            this.caller = Thread.currentThread();
            finished.set(0);
            returned.set(0);
            failure.set(null);
            fromFront.set(0);
            fromBack.set(0);
            claimed.set(0);
            return this;
        }

        /** Drops the references to the layer and tensors, which a reused record would keep alive. */
        void release() {
            plan = null;
            in = null;
            out = null;
            caller = null;
            failure.set(null);
        }

        @Override
        public void run() {
            try {
                boolean front = Thread.currentThread() == caller;
                for (long task; (task = claim(front)) >= 0; ) {
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
            } finally {
                Workspace.trimCurrent();
                // Once the return is counted the caller may release this record: read it first.
                Thread waiting = caller;
                returned.incrementAndGet();
                LockSupport.unpark(waiting);
            }
        }

        /**
         * {@return the next task from the front or the back, or -1 when all are claimed} Counting
         * every claim first keeps the two ends from meeting: at most {@code tasks} claims succeed.
         */
        long claim(boolean front) {
            if (claimed.getAndIncrement() >= tasks) {
                return -1;
            }
            return front ? fromFront.getAndIncrement() : tasks - 1 - fromBack.getAndIncrement();
        }

        /**
         * Waits, polling briefly and then parked, until {@code counter} reaches {@code target}. An
         * interrupt does not end the wait (the workers still write to the output) and would make
         * {@code park} return at once, spinning on the core the workers need: it is cleared while
         * waiting and set again before returning.
         */
        static void await(AtomicLong counter, long target, Object blocker) {
            // What is left is usually another worker's last task, or its return: poll first.
            long deadline = System.nanoTime() + SpinningPool.SPIN_NANOS;
            while (counter.get() < target && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            while (counter.get() < target) {
                interrupted |= Thread.interrupted();
                LockSupport.park(blocker);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs every task of {@code plan} on the calling thread and up to {@code parallelism - 1}
     * workers of the library's shared pool, created on first use. Returns only when every task
     * has finished and every job handed to the pool has returned, so no worker writes to
     * {@code out} or holds the call record after it; rethrows the first failure. The pool runs a
     * job it accepts at once, so waiting for the jobs costs little, and the calling thread's call
     * record can then be reused: a call allocates nothing.
     */
    public static void runOnSharedPool(ExecutionPlan plan, MemorySegment in, MemorySegment out, int parallelism) {
        long workers = Math.min(parallelism, plan.taskCount());
        if (workers <= 1) {
            plan.runAll(in, out);
            return;
        }
        Call call = SharedPool.CALLS.get().reset(plan, in, out);
        long handed = 0;
        while (handed < workers - 1 && SharedPool.POOL.offer(call)) {
            handed++;
        }
        call.run();
        Call.await(call.finished, call.tasks, call);
        // The caller's own run() counted as a return too.
        Call.await(call.returned, handed + 1, call);
        finish(call, null);
    }

    /**
     * Runs every task of {@code plan} on the calling thread and up to {@code parallelism - 1}
     * workers from the caller's {@code executor}. Returns only when every task has finished, so no
     * worker writes to {@code out} after it; rethrows the first failure. The caller waits for
     * tasks, not for workers: a worker the executor starts late (or never, or refuses with any
     * exception) finds no task left, so each call has a call record of its own.
     */
    public static void runOn(Executor executor, ExecutionPlan plan, MemorySegment in, MemorySegment out,
            int parallelism) {
        long workers = Math.min(parallelism, plan.taskCount());
        if (workers <= 1) {
            plan.runAll(in, out);
            return;
        }
        Call call = new Call().reset(plan, in, out);
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
        Call.await(call.finished, call.tasks, call);
        // A refusal only means fewer workers; the caller has run the tasks they would have.
        finish(call, submitFailure instanceof RejectedExecutionException ? null : submitFailure);
    }

    /** Releases {@code call} and rethrows its first failure, else {@code submitFailure} if any. */
    private static void finish(Call call, Throwable submitFailure) {
        Throwable t = call.failure.get();
        call.release();
        if (t == null) {
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
