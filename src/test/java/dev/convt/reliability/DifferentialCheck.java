package dev.convt.reliability;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.reference.DirectReference;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs one {@link RandomCase} through the fast path and compares it with {@link DirectReference}:
 * every output element within the float32 summation bound of the exact double sum (then through
 * the epilogue, {@link Tolerance#assertMatches}), and a multi-threaded run bitwise equal to the
 * single-threaded one.
 */
final class DifferentialCheck {

    /** What one case covered. */
    record Outcome(long elements, boolean threadsCompared, ExecutionPlan.Kind kind, ExecutionPlan.Tile tile) {}

    private DifferentialCheck() {}

    /**
     * Checks one case.
     *
     * @return the number of output elements compared with the reference, and the plan that ran
     * @throws AssertionError naming the case, the first wrong element and the command that replays its seed
     */
    static Outcome check(RandomCase c) {
        ConvTransposeGeometry g = c.geometry();
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), c.bias(), null);
        ExecutionPlan plan;
        try (Arena arena = Arena.ofConfined()) {
            plan = plan(c, arena);
        }
        try (ConvTransposeLayer layer = c.layer()) {
            float[] single = c.run(layer, 1);
            Tolerance.assertMatches(c, expected, single);
            if (c.threads() > 1) {
                Tolerance.assertBitwiseEqual(single, c.run(layer, c.threads()), c + " on " + c.threads() + " threads");
            }
            return new Outcome(single.length, c.threads() > 1, plan.kind(), plan.tile());
        } catch (AssertionError e) {
            throw c.seed() == RandomCase.NO_SEED ? e : new AssertionError(e.getMessage()
                    + "\n  reproduce: ./mvnw -B test -Dtest=KernelDifferentialFuzzTest -Dconvt.fuzz.replay=" + c.seed(), e);
        }
    }

    private static ExecutionPlan plan(RandomCase c, Arena arena) {
        MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.weights());
        MemorySegment b = c.bias() == null ? null : arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.bias());
        return ExecutionPlan.create(c.geometry(), PackedWeights.pack(c.spec(), w, b, null, arena), c.epilogue());
    }
}
