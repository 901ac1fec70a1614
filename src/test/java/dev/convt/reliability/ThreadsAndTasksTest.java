package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many threads {@code forward(x, y, threads)} uses, and how many tasks plans give them. */
class ThreadsAndTasksTest {

    /** {@return what {@link WorkerCountProbe} prints, run with {@code processors} active processors} */
    private static String workersAfterForward(int processors, int threads) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                "-XX:ActiveProcessorCount=" + processors, "-cp", System.getProperty("java.class.path"),
                WorkerCountProbe.class.getName(), Integer.toString(threads)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        // The JVM's warning about incubator modules comes first.
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    @Test
    void onOneProcessorTheCallerComputesAloneAndNoWorkerStarts() throws Exception {
        assertEquals("0", workersAfterForward(1, 2));
    }

    @Test
    void onTwoProcessorsEightThreadsAskedStartOneWorker() throws Exception {
        assertEquals("1", workersAfterForward(2, 8));
    }
}
