package dev.convt.testing;

import java.lang.management.ManagementFactory;

/** Heap bytes the calling thread allocates, for the tests that calls after the first allocate nothing. */
public final class Allocations {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    /**
     * Runs {@code round} {@code warmUp} times (so that the JIT has compiled it and the caches are
     * filled), then measures {@code rounds} more.
     *
     * @param round the calls of one round; a lambda made once, so that running it allocates nothing itself
     * @param warmUp unmeasured rounds
     * @param rounds measured rounds
     * @return the bytes the calling thread allocated in the measured rounds
     */
    public static long afterWarmUp(Runnable round, int warmUp, int rounds) {
        for (int i = 0; i < warmUp; i++) {
            round.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
