package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.testing.ChildJvm;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How many threads {@code forward(x, y, threads)} uses, and how many tasks plans give them. */
class ThreadsAndTasksTest {

    /** {@return what {@link WorkerCountProbe} prints, run with {@code processors} active processors} */
    private static String workersAfterForward(int processors, int threads) throws IOException, InterruptedException {
        ChildJvm.Result r = ChildJvm.withFlags(ChildJvm.VECTOR_API, "-XX:ActiveProcessorCount=" + processors)
                .run(Duration.ofMinutes(5), WorkerCountProbe.class.getName(), Integer.toString(threads));
        assertEquals(0, r.exitCode(), r.output());
        // The JVM's warning about incubator modules comes first.
        return r.lastLine();
    }

    @Test
    void onOneProcessorTheCallerComputesAloneAndNoWorkerStarts() throws Exception {
        assertEquals("0", workersAfterForward(1, 2));
    }

    @Test
    void onTwoProcessorsEightThreadsAskedStartOneWorker() throws Exception {
        assertEquals("1", workersAfterForward(2, 8));
    }

    /** {@return the task count of the plan for {@code spec} on {@code inputShape}} */
    private static long tasks(ConvTransposeSpec spec, long... inputShape) {
        try (Arena arena = Arena.ofConfined()) {
            PackedWeights w = PackedWeights.pack(spec, arena.allocate(spec.weightCount() * Float.BYTES), null, null,
                    arena);
            return ExecutionPlan.create(spec.geometry(inputShape), w, Epilogue.NONE).taskCount();
        }
    }

    @Test
    void layersWithEnoughWorkHaveATaskForEachOfEightThreads() {
        // HiFi-GAN's 128 -> 64 upsampling: one task before, so more threads did nothing.
        assertAtLeastEight(ConvTransposeSpec.builder1d(128, 64, 4).stride(2).padding(1).build(), 1, 128, 4096);
        assertAtLeastEight(ConvTransposeSpec.builder1d(512, 256, 16).stride(8).padding(4).build(), 1, 512, 128);
        assertAtLeastEight(ConvTransposeSpec.builder1d(32, 1, 7).padding(3).build(), 1, 32, 8192);
        // A 2-D map two grid rows tall.
        assertAtLeastEight(ConvTransposeSpec.builder(64, 64, 4, 4).stride(2).padding(1).build(), 1, 64, 2, 256);
        // 3-D: every output depth slice is tasks of its own, on both tiled plans, even with one grid row per slice.
        assertAtLeastEight(ConvTransposeSpec.builder3d(512, 256, 4, 4, 4).stride(2).padding(1).build(), 1, 512, 4, 4, 4);
        assertAtLeastEight(ConvTransposeSpec.builder3d(16, 16, 2, 2, 2).stride(2).build(), 1, 16, 4, 1, 32);
    }

    /**
     * A 3-D layer has the tasks of one 2-D slice for each output depth slice: the depth axis only
     * multiplies them, as the batch does. The slice here is a one-tap layer with as many input
     * channels as the volume's longest depth phase sums over (2 taps x 32), which is what the slice's
     * layout depends on, run on a batch of one image per output depth slice, so that both have the
     * same task count before the layout decides whether to cut grid columns for more tasks.
     */
    @Test
    void aVolumeHasTheTasksOfItsSliceForEveryOutputDepthSlice() {
        ConvTransposeSpec volume = ConvTransposeSpec.builder3d(32, 48, 3, 4, 4).stride(2, 2, 2).padding(1, 1, 1).build();
        ConvTransposeSpec slice = ConvTransposeSpec.builder3d(64, 48, 1, 4, 4).stride(1, 2, 2).padding(0, 1, 1).build();
        for (long[] hw : new long[][] {{4, 4}, {8, 40}}) {
            long depthOut = volume.geometry(1, 32, 5, hw[0], hw[1]).outputShape()[2];
            assertEquals(tasks(slice, depthOut, 64, 1, hw[0], hw[1]), tasks(volume, 1, 32, 5, hw[0], hw[1]),
                    "tasks of the volume against " + depthOut + " slices, on " + hw[0] + "x" + hw[1]);
        }
    }

    private static void assertAtLeastEight(ConvTransposeSpec spec, long... inputShape) {
        long tasks = tasks(spec, inputShape);
        assertTrue(tasks >= 8, spec + " on " + java.util.Arrays.toString(inputShape) + ": " + tasks + " tasks");
    }
}
