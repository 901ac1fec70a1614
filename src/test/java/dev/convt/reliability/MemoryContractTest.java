package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.testing.ChildJvm;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory contract (README "Reliability II"): a call's working memory is bounded by a small
 * multiple of its tensors plus a fixed per-thread cap, so {@code forward} does not run out of
 * memory where the tensors fit. Each case runs in a child JVM with a heap and native limit just
 * above its tensors.
 */
class MemoryContractTest {

    private static String probe(List<String> limits, String which) throws Exception {
        List<String> flags = new ArrayList<>(List.of(ChildJvm.VECTOR_API));
        flags.addAll(limits);
        ChildJvm.Result r = ChildJvm.withFlags(flags.toArray(String[]::new)).run(Duration.ofMinutes(5),
                TensorBoundProbe.class.getName(), which);
        assertEquals(0, r.exitCode(), which + " failed:\n" + r.output());
        return r.lastLine();
    }

    @Test
    void aWide1dLayerNeedsLittleMoreNativeMemoryThanItsTensors() throws Exception {
        // 128 MiB of tensors; each thread's panel used to be 4x the input (256 MiB).
        assertEquals("ok", probe(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=160m"), "wide1d"));
    }

    @Test
    void aHugeStrideNeedsLittleMoreMemoryThanItsOutput() throws Exception {
        // 137 MiB of output; the scratch used to be 1.1 GB of heap, per thread.
        assertEquals("ok", probe(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=170m"), "stride3000"));
    }

    @Test
    void aStrideOf5800IsPlannedWithoutGiantScratch() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 3, 3).stride(5800).build();
        try (Arena arena = Arena.ofConfined()) {
            PackedWeights w = PackedWeights.pack(spec, arena.allocate(9 * Float.BYTES), null, null, arena);
            ExecutionPlan plan = ExecutionPlan.create(spec.geometry(1, 1, 3, 3), w, Epilogue.NONE);
            assertTrue(plan.taskCount() >= 1, plan.toString());
        }
    }
}
