package dev.convt;

import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.kernel.TaskRunner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transposed convolution ready to run: the spec, weights packed for the kernel, an optional
 * bias and a fused {@link Epilogue}. Build it once, then call {@link #forward(Tensor, Tensor)} as
 * often as needed; it validates shapes, then runs a loop that only computes.
 *
 * <pre>{@code
 * ConvTransposeSpec spec = ConvTransposeSpec.builder(256, 128, 4, 4).stride(2).padding(1).build();
 * try (Arena arena = Arena.ofConfined();
 *      ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(b).build()) {
 *     Tensor x = Tensor.allocate(arena, 1, 256, 8, 8);
 *     Tensor y = Tensor.allocate(arena, layer.outputShape(x.shape()));
 *     layer.forward(x, y);
 * }
 * }</pre>
 *
 * <p>Thread safety: any number of threads may call {@code forward} at once, each with its own
 * output. Results do not depend on the number of threads: every output element is summed by one
 * thread in one fixed order, so they are bitwise identical for any thread count.
 *
 * <p>The layer owns its packed copy of the weights (off-heap); {@link #close()} frees it, waiting
 * for calls in progress to finish. Calls after {@code close} throw {@link IllegalStateException}.
 */
public final class ConvTransposeLayer implements AutoCloseable {

    /** Never started: a confined segment is accessible by its owner only, so not by this thread. */
    private static final Thread NOT_AN_OWNER = new Thread(() -> { });

    private final ConvTransposeSpec spec;
    private final Epilogue epilogue;
    private final Arena arena;
    private final PackedWeights weights;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;
    private volatile ExecutionPlan lastPlan;

    private ConvTransposeLayer(Builder b) {
        this.spec = b.spec;
        this.epilogue = b.epilogue;
        this.arena = Arena.ofShared();
        try {
            this.weights = PackedWeights.pack(spec, b.weights, b.bias, b.batchNorm, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Starts building a layer for {@code spec}.
     *
     * @param spec the transposed convolution
     * @return a builder
     */
    public static Builder builder(ConvTransposeSpec spec) {
        return new Builder(Objects.requireNonNull(spec, "spec"));
    }

    /** {@return the spec} */
    public ConvTransposeSpec spec() {
        return spec;
    }

    /** {@return the fused epilogue} */
    public Epilogue epilogue() {
        return epilogue;
    }

    /**
     * The output shape for an input shape, to allocate the output tensor.
     *
     * @param inputShape {@code (N, Cin, H, W)}, or {@code (N, Cin, W)} for a 1-D spec
     * @return the output shape {@code forward} expects for that input
     */
    public long[] outputShape(long... inputShape) {
        return spec.geometry(inputShape).outputShape();
    }

    /**
     * Runs the layer on the calling thread.
     *
     * @param input {@code (N, Cin, H, W)} (or {@code (N, Cin, W)} for 1-D), off-heap
     * @param output of shape {@link #outputShape}, off-heap, not overlapping the input; fully
     *     overwritten
     * @throws IllegalArgumentException if a shape does not fit, a tensor is on the heap, or the
     *     tensors overlap
     * @throws IllegalStateException if the layer or a tensor's arena is closed
     */
    public void forward(Tensor input, Tensor output) {
        ExecutionPlan plan = enter(input, output);
        try {
            plan.runAll(input.segment(), output.segment());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Runs the layer on up to {@code threads} threads of a shared daemon pool (the calling thread
     * is one of them), and never on more threads than the machine has processors: more would only
     * take turns. The pool's workers poll for new work for a fraction of a millisecond after a
     * call, so consecutive layers do not wait for threads to wake up. Once the pool has started
     * its workers, a call allocates nothing. The result is bitwise identical to
     * {@link #forward(Tensor, Tensor)}.
     *
     * @param input as for {@link #forward(Tensor, Tensor)}
     * @param output as for {@link #forward(Tensor, Tensor)}
     * @param threads at least 1
     */
    public void forward(Tensor input, Tensor output, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        }
        forward(input, output, TaskRunner.sharedPool(), threads);
    }

    /**
     * Runs the layer on the caller's executor with up to {@code parallelism} concurrent workers
     * (the calling thread is one of them and also works, so a saturated executor cannot stall the
     * call). The result is bitwise identical to {@link #forward(Tensor, Tensor)}.
     *
     * @param input as for {@link #forward(Tensor, Tensor)}
     * @param output as for {@link #forward(Tensor, Tensor)}
     * @param executor runs the extra workers
     * @param parallelism at least 1
     */
    public void forward(Tensor input, Tensor output, Executor executor, int parallelism) {
        Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism " + parallelism + " must be at least 1");
        }
        ExecutionPlan plan = enter(input, output);
        try {
            if (parallelism > 1 && plan.taskCount() > 1) {
                requireShared("input", input);
                requireShared("output", output);
            }
            TaskRunner.run(plan, input.segment(), output.segment(), executor, parallelism);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private ExecutionPlan enter(Tensor input, Tensor output) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        inFlight.incrementAndGet();
        try {
            if (closed) {
                throw new IllegalStateException("layer is closed");
            }
            ExecutionPlan plan = planFor(input, output);
            checkTensors(plan, input, output);
            return plan;
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    private ExecutionPlan planFor(Tensor input, Tensor output) {
        ExecutionPlan plan = lastPlan;
        if (plan != null && plan.matchesInput(input)) {
            return plan;
        }
        ConvTransposeGeometry g = spec.geometry(input.shape());
        // Before planning, which sizes tables by the output: a wrong output must cost nothing.
        if (!Arrays.equals(output.shape(), g.outputShape())) {
            throw wrongOutput(g, input, output);
        }
        plan = ExecutionPlan.create(g, weights, epilogue);
        lastPlan = plan;
        return plan;
    }

    private static IllegalArgumentException wrongOutput(ConvTransposeGeometry g, Tensor input, Tensor output) {
        return new IllegalArgumentException("output shape " + ConvTransposeGeometry.format(output.shape())
                + " != expected " + ConvTransposeGeometry.format(g.outputShape()) + " for input "
                + ConvTransposeGeometry.format(input.shape()));
    }

    private static void checkTensors(ExecutionPlan plan, Tensor input, Tensor output) {
        ConvTransposeGeometry g = plan.geometry();
        requireUsable("input", input);
        requireUsable("output", output);
        if (!plan.matchesOutput(output)) {
            throw wrongOutput(g, input, output);
        }
        MemorySegment in = input.segment();
        MemorySegment out = output.segment();
        if (in.address() < out.address() + out.byteSize() && out.address() < in.address() + in.byteSize()) {
            throw new IllegalArgumentException("input and output memory overlap: input " + describe(in)
                    + ", output " + describe(out));
        }
    }

    private static void requireUsable(String name, Tensor t) {
        MemorySegment s = t.segment();
        if (!s.isNative()) {
            throw new IllegalArgumentException(name + " " + t + " is on the heap; convt runs on off-heap tensors"
                    + " (Tensor.allocate)");
        }
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + " " + t + ": its arena is closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + " " + t + ": its arena is confined to another thread");
        }
        if (s.isReadOnly() && name.equals("output")) {
            throw new IllegalArgumentException("output " + t + " is read-only");
        }
    }

    /** Worker threads can only touch memory of a shared or automatic arena, never a confined one. */
    private static void requireShared(String name, Tensor t) {
        if (!t.segment().isAccessibleBy(NOT_AN_OWNER)) {
            throw new IllegalArgumentException(name + " " + t + " belongs to a confined arena, which worker threads"
                    + " cannot read or write; allocate it from Arena.ofShared() or Arena.ofAuto() to run on several"
                    + " threads, or call forward(input, output)");
        }
    }

    private static String describe(MemorySegment s) {
        return "[0x" + Long.toHexString(s.address()) + ", 0x" + Long.toHexString(s.address() + s.byteSize()) + ")";
    }

    /**
     * Frees the packed weights once calls in progress have finished. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (inFlight.get() != 0) {
            Thread.yield();
        }
        lastPlan = null;
        arena.close();
    }

    @Override
    public String toString() {
        return "ConvTransposeLayer[" + spec + ", epilogue " + epilogue + "]";
    }

    /** Builds a {@link ConvTransposeLayer}. Weights are required; the bias iff the spec has one. */
    public static final class Builder {
        private final ConvTransposeSpec spec;
        private MemorySegment weights;
        private MemorySegment bias;
        private PackedWeights.BatchNorm batchNorm;
        private Epilogue epilogue = Epilogue.NONE;

        private Builder(ConvTransposeSpec spec) {
            this.spec = spec;
        }

        /**
         * Sets the weights from a tensor.
         *
         * @param w weights of shape {@link ConvTransposeSpec#weightShape()} (a 1-D spec also
         *     accepts {@code [Cin, Cout/groups, 1, kW]}); copied at {@link #build()}
         * @return this builder
         */
        public Builder weights(Tensor w) {
            Objects.requireNonNull(w, "weights");
            long[] expected = spec.weightShape();
            boolean ok = w.hasShape(expected);
            if (!ok && spec.isOneDimensional()) {
                ok = w.hasShape(new long[] {expected[0], expected[1], 1, expected[2]});
            }
            if (!ok) {
                throw new IllegalArgumentException("weights shape " + ConvTransposeGeometry.format(w.shape())
                        + " != expected " + ConvTransposeGeometry.format(expected) + " ([Cin, Cout/groups, kH, kW]) for "
                        + spec);
            }
            this.weights = w.segment();
            return this;
        }

        /**
         * Sets the weights from a segment.
         *
         * @param w weights in PyTorch layout {@code [Cin, Cout/groups, kH, kW]}, C order, exactly
         *     {@link ConvTransposeSpec#weightCount()} floats; copied at {@link #build()}
         * @return this builder
         */
        public Builder weights(MemorySegment w) {
            Objects.requireNonNull(w, "weights");
            this.weights = checkCount("weights", w, spec.weightCount());
            return this;
        }

        /**
         * Sets the weights from an array.
         *
         * @param w weights in PyTorch layout {@code [Cin, Cout/groups, kH, kW]}, C order
         * @return this builder
         */
        public Builder weights(float[] w) {
            Objects.requireNonNull(w, "weights");
            return weights(MemorySegment.ofArray(w));
        }

        /**
         * Sets the bias from a tensor.
         *
         * @param b bias of shape {@code [Cout]}
         * @return this builder
         */
        public Builder bias(Tensor b) {
            Objects.requireNonNull(b, "bias");
            if (!b.hasShape(new long[] {spec.outChannels()})) {
                throw new IllegalArgumentException("bias shape " + ConvTransposeGeometry.format(b.shape())
                        + " != expected (" + spec.outChannels() + ")");
            }
            return bias(b.segment());
        }

        /**
         * Sets the bias from a segment.
         *
         * @param b bias, {@code Cout} floats
         * @return this builder
         */
        public Builder bias(MemorySegment b) {
            Objects.requireNonNull(b, "bias");
            if (!spec.hasBias()) {
                throw new IllegalArgumentException("bias given, but the spec has bias=false: " + spec);
            }
            this.bias = checkCount("bias", b, spec.outChannels());
            return this;
        }

        /**
         * Sets the bias from an array.
         *
         * @param b bias, {@code Cout} floats
         * @return this builder
         */
        public Builder bias(float[] b) {
            Objects.requireNonNull(b, "bias");
            return bias(MemorySegment.ofArray(b));
        }

        /**
         * Sets the activation applied after the bias (default {@link Epilogue#NONE}).
         *
         * @param e the activation fused after the bias
         * @return this builder
         */
        public Builder epilogue(Epilogue e) {
            this.epilogue = Objects.requireNonNull(e, "epilogue");
            return this;
        }

        /**
         * Folds an inference-mode BatchNorm that follows the layer into the packed weights and
         * bias: {@code y = (convT(x) + b - mean) * gamma / sqrt(var + eps) + beta}. The folded
         * layer has a bias even if the spec has none. Arrays have {@code Cout} elements.
         *
         * @param gamma scale
         * @param beta shift
         * @param mean running mean
         * @param variance running variance, each {@code >= 0}
         * @param eps added to the variance, {@code > 0} or 0 when no variance is 0
         * @return this builder
         */
        public Builder foldBatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance, float eps) {
            this.batchNorm = PackedWeights.BatchNorm.of(spec.outChannels(), gamma, beta, mean, variance, eps);
            return this;
        }

        /** The weights are read when the layer is built, perhaps on another thread than where they were given. */
        private static void readable(String name, MemorySegment s) {
            if (!s.scope().isAlive()) {
                throw new IllegalStateException(name + ": its arena is closed");
            }
            if (!s.isAccessibleBy(Thread.currentThread())) {
                throw new IllegalStateException(name + ": its arena is confined to another thread than the one building"
                        + " the layer");
            }
        }

        private static MemorySegment checkCount(String name, MemorySegment s, long count) {
            if (s.byteSize() % Float.BYTES != 0 || s.byteSize() / Float.BYTES != count) {
                throw new IllegalArgumentException(name + " has " + s.byteSize() / Float.BYTES + " floats ("
                        + s.byteSize() + " bytes), expected " + count);
            }
            if (!s.scope().isAlive()) {
                throw new IllegalStateException(name + ": its arena is closed");
            }
            return s;
        }

        /**
         * Validates and packs the weights (copying them).
         *
         * @return the layer
         * @throws IllegalArgumentException if weights are missing or a bias is missing or extra
         */
        public ConvTransposeLayer build() {
            if (weights == null) {
                throw new IllegalArgumentException("weights are required: " + spec);
            }
            if (spec.hasBias() && bias == null) {
                throw new IllegalArgumentException("the spec has a bias (bias=true) but none was given: " + spec);
            }
            readable("weights", weights);
            if (bias != null) {
                readable("bias", bias);
            }
            return new ConvTransposeLayer(this);
        }
    }
}
