package dev.convt.kernel;

import dev.convt.ConvTransposeLayer;
import dev.convt.reference.DirectReference;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What the plan tests of this package share: the plan a case gets, and its check against the definition. */
final class PlanChecks {

    private PlanChecks() {}

    /** {@return the plan {@link ExecutionPlan#create} makes for {@code c}} */
    static ExecutionPlan planOf(RandomCase c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.weights());
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.bias());
            return ExecutionPlan.create(c.geometry(), PackedWeights.pack(c.spec(), w, b, null, arena), c.epilogue());
        }
    }

    /** Runs {@code c}'s layer on 1 thread against the scalar definition, then on 2 and 3 threads bit for bit. */
    static void matchesTheDefinitionOnEveryThreadCount(RandomCase c) {
        try (ConvTransposeLayer layer = c.layer()) {
            float[] one = c.run(layer, 1);
            Tolerance.assertMatches(c, DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                    c.bias(), null), one);
            for (int threads : new int[] {2, 3}) {
                Tolerance.assertBitwiseEqual(one, c.run(layer, threads), c + ", " + threads + " threads");
            }
        }
    }
}
