package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.kernel.ExecutionPlan;
import dev.convt.reference.DirectReference;
import dev.convt.testing.RandomFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvTransposeLayer#warmUp()} and {@link ConvTransposeLayer#warmUpInBackground()}: what
 * they leave behind (no thread, the same results), not how fast anything gets.
 */
class WarmUpTest {

    /** Small integers: every sum is exact, so the reference's result is the only right one. */
    @Test
    void resultsAreTheSameBeforeAndAfterTheWarmUpAndExact() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(24, 40, 4, 4).stride(2).padding(1).build();
        long[] shape = {2, 24, 5, 19};
        SplittableRandom random = new SplittableRandom(13);
        float[] x = RandomFloats.smallIntegers(random, Math.toIntExact(spec.geometry(shape).inputCount()));
        float[] w = RandomFloats.smallIntegers(random, Math.toIntExact(spec.weightCount()));
        float[] b = RandomFloats.smallIntegers(random, spec.outChannels());
        float[] expected = DirectReference.forward(spec.geometry(shape), x, w, b, Epilogue.relu());
        try (Arena arena = Arena.ofShared();
             ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(b).epilogue(Epilogue.relu())
                     .build()) {
            Tensor in = Tensor.of(arena, x, shape);
            Tensor out = Tensor.allocate(arena, layer.outputShape(shape));
            layer.forward(in, out);
            float[] before = out.segment().toArray(ValueLayout.JAVA_FLOAT);
            ConvTransposeLayer.warmUp();
            out.segment().fill((byte) 0);
            layer.forward(in, out, 2);
            assertArrayEquals(expected, before);
            assertArrayEquals(expected, out.segment().toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    /**
     * The warm-up must reach every kernel real layers run, in this machine's register set: a tile it
     * never compiled costs a real layer's first call hundreds of milliseconds (it once missed the
     * 16-register wide tile, and the first call of a 268 MFLOP layer took 428 ms after the warm-up).
     */
    @Test
    void theWarmUpReachesEveryKernel() {
        List<String> kernels = WarmUp.plannedKernels();
        for (String expected : List.of("PIXEL_TILED " + ExecutionPlan.Tile.SQUARE,
                "PIXEL_TILED " + ExecutionPlan.Tile.WIDE, "PIXEL_TILED " + ExecutionPlan.Tile.NARROW, "CHANNEL_TILED " + ExecutionPlan.Tile.SQUARE,
                "DEPTHWISE " + ExecutionPlan.Tile.NONE)) {
            assertTrue(kernels.contains(expected), expected + " missing from " + kernels);
        }
    }

    @Test
    void theBackgroundWarmUpEndsItsThreadsAndRunsOncePerJvm() throws InterruptedException {
        ConvTransposeLayer.warmUpInBackground();
        ConvTransposeLayer.warmUp(); // waits for the background thread's warm-up
        assertTrue(WarmUp.done());
        for (Thread t : warmUpThreads()) {
            t.join(60_000); // a bound for a broken warm-up, not a timing: a thread ends after its task
        }
        assertEquals(List.of(), warmUpThreads().stream().filter(Thread::isAlive).map(Thread::getName).toList());
        // Done once: neither form starts another thread.
        ConvTransposeLayer.warmUpInBackground();
        ConvTransposeLayer.warmUp();
        assertEquals(List.of(), warmUpThreads().stream().filter(Thread::isAlive).map(Thread::getName).toList());
    }

    @Test
    void theWarmUpKeepsTheCallersInterruptFlag() throws InterruptedException {
        ConvTransposeLayer.warmUp();
        boolean[] interrupted = new boolean[1];
        Thread t = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            ConvTransposeLayer.warmUp();
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        t.join();
        assertTrue(interrupted[0]);
    }

    private static List<Thread> warmUpThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("convt-warm-up"))
                .toList();
    }
}
