package dev.convt.reliability;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs fuzz tries on one long-lived daemon thread with a time limit, so that a hang fails the
 * try with its input instead of stalling the build, and so that the thread's kernel workspace is
 * reused from try to try as in a server. Failures come back as they were thrown.
 */
final class Watchdog implements AutoCloseable {

    private final ExecutorService thread;
    private final Duration limit;

    Watchdog(String name, Duration limit) {
        this.limit = limit;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task} and returns its result, or rethrows what it threw.
     *
     * @param what names the try in the timeout message
     */
    <T> T call(String what, Callable<T> task) throws Exception {
        Future<T> result = thread.submit(task);
        try {
            return result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new AssertionError("no result after " + limit + " (hang?): " + what);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
