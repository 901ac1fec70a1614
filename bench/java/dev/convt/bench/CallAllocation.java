package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Heap bytes one call allocates on the calling thread, measured in a benchmark fork after its timed
 * iterations (so on compiled code) and carried to the report through {@link PeerInfo}.
 *
 * <p>{@code com.sun.management.ThreadMXBean} counts one thread's allocations exactly; JMH's
 * {@code -prof gc}, which the report used before, divides every thread's allocation (JMH's own
 * included) by the calls, which grows with the length of a call whatever the call itself does.
 */
final class CallAllocation {

    /** The most calls counted. */
    static final int MAX_CALLS = 20;
    /** No call starts after this (one always runs): on the slowest layers a call takes seconds. */
    private static final long MAX_NANOS = 500_000_000L;

    /**
     * A benchmark's call, which may throw what the benchmark method throws.
     *
     * @param <E> the exception
     */
    @FunctionalInterface
    interface Call<E extends Exception> {
        /** @throws E if the call fails */
        void run() throws E;
    }

    private CallAllocation() {}

    /**
     * Runs {@code call} up to {@link #MAX_CALLS} times on this thread and records the heap bytes it
     * allocated per call, under {@link #key}.
     *
     * @param <E> what the call throws
     * @param implementation what runs
     * @param subject the layer id, or {@code network}
     * @param threads threads per call
     * @param call one call, made before measuring
     * @throws E if a call fails
     */
    static <E extends Exception> void record(Implementation implementation, String subject, int threads, Call<E> call)
            throws E {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The first reading may allocate (class loading); the bracket starts at the second.
        mx.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        long before = mx.getCurrentThreadAllocatedBytes();
        int calls = 0;
        do {
            call.run();
            calls++;
        } while (calls < MAX_CALLS && System.nanoTime() - start < MAX_NANOS);
        long bytes = mx.getCurrentThreadAllocatedBytes() - before;
        PeerInfo.record(key(implementation, subject, threads), Double.toString((double) bytes / calls));
    }

    /** @return e.g. {@code alloc.convt.dcgan_l2.1} */
    static String key(Implementation implementation, String subject, int threads) {
        return "alloc." + implementation.name().toLowerCase(Locale.ROOT) + "." + subject + "." + threads;
    }
}
