package dev.convt;

import dev.convt.internal.Shapes;
import dev.convt.kernel.ExecutionPlan;
import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * A {@link ConvTransposeLayer} made ready for one input shape, as XNNPACK's reshape or a oneDNN
 * primitive: tile shapes, index tables and the task list are computed once, by
 * {@link ConvTransposeLayer#plan(long...)}, and every {@code forward} on the plan only checks its
 * tensors and computes. Holding one plan per shape is the explicit form of what
 * {@link ConvTransposeLayer#forward(Tensor, Tensor)} does behind its small cache of recent shapes.
 *
 * <pre>{@code
 * ConvTransposePlan batch1 = layer.plan(1, 256, 8, 8);
 * ConvTransposePlan batch8 = layer.plan(8, 256, 8, 8);
 * batch8.forward(x8, y8, 4);   // y8: Tensor.allocate(arena, batch8.outputShape())
 * }</pre>
 *
 * <p>A plan shares its layer's packed weights and lifetime: it needs no closing of its own, any
 * number of threads may call it at once (each with its own output), and once the layer is closed
 * its calls throw {@link IllegalStateException}. Results are bitwise identical to the layer's
 * {@code forward} on the same tensors, for any thread count.
 */
public final class ConvTransposePlan {

    private final ConvTransposeLayer layer;
    private final ExecutionPlan plan;
    private final long[] inputShape;
    private final long[] outputShape;
    /** The layer's cache evicts plans not used since its last sweep; a race on this hint only misjudges age. */
    private volatile boolean recentlyUsed = true;

    ConvTransposePlan(ConvTransposeLayer layer, ExecutionPlan plan) {
        this.layer = layer;
        this.plan = plan;
        this.inputShape = plan.geometry().inputShape();
        this.outputShape = plan.geometry().outputShape();
    }

    /** {@return the layer this plan runs} */
    public ConvTransposeLayer layer() {
        return layer;
    }

    /** {@return the input shape this plan accepts, a fresh copy} */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** {@return the output shape this plan writes, a fresh copy, for allocating the output} */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /**
     * Runs the plan on the calling thread; see {@link ConvTransposeLayer#forward(Tensor, Tensor)}.
     *
     * @param input of shape {@link #inputShape()}, off-heap
     * @param output of shape {@link #outputShape()}, off-heap, not overlapping the input; fully
     *     overwritten
     * @throws IllegalArgumentException if a shape is not this plan's, a tensor is on the heap, or
     *     the tensors overlap
     * @throws IllegalStateException if the layer or a tensor's arena is closed
     */
    public void forward(Tensor input, Tensor output) {
        layer.run(this, input, output, null, 1);
    }

    /**
     * Runs the plan on up to {@code threads} threads of the shared pool; see
     * {@link ConvTransposeLayer#forward(Tensor, Tensor, int)}.
     *
     * @param input as for {@link #forward(Tensor, Tensor)}
     * @param output as for {@link #forward(Tensor, Tensor)}
     * @param threads at least 1
     */
    public void forward(Tensor input, Tensor output, int threads) {
        layer.run(this, input, output, null, ConvTransposeLayer.requireThreads(threads));
    }

    /**
     * Runs the plan on the caller's executor; see
     * {@link ConvTransposeLayer#forward(Tensor, Tensor, Executor, int)}.
     *
     * @param input as for {@link #forward(Tensor, Tensor)}
     * @param output as for {@link #forward(Tensor, Tensor)}
     * @param executor runs the extra workers
     * @param parallelism at least 1
     */
    public void forward(Tensor input, Tensor output, Executor executor, int parallelism) {
        layer.run(this, input, output, ConvTransposeLayer.requireExecutor(executor, parallelism), parallelism);
    }

    ExecutionPlan executionPlan() {
        return plan;
    }

    /** {@return whether {@code shape} is this plan's input shape} */
    boolean accepts(long[] shape) {
        return Arrays.equals(inputShape, shape);
    }

    boolean recentlyUsed() {
        return recentlyUsed;
    }

    /** Marks the plan used; writes only when the hint changes, so threads sharing a plan do not contend. */
    void touch() {
        if (!recentlyUsed) {
            recentlyUsed = true;
        }
    }

    void age() {
        recentlyUsed = false;
    }

    @Override
    public String toString() {
        return "ConvTransposePlan[input " + Shapes.format(inputShape) + " -> output "
                + Shapes.format(outputShape) + ", " + layer + "]";
    }
}
