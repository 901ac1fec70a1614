package dev.convt;

import dev.convt.internal.Shapes;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.PackedWeights;
import dev.convt.kernel.TaskRunner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

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
 * <p>Input shapes: the work for one input shape (tiles, index tables, tasks) is planned once.
 * {@link #plan(long...)} returns that {@link ConvTransposePlan} for callers who keep one per
 * shape; {@code forward} keeps the plans of the {@value #CACHED_PLANS} input shapes used most
 * recently, so a caller alternating among a few shapes (batch 1 and 8, two resolutions) plans each
 * once and then allocates nothing. A shape beyond that evicts one not used lately, and is
 * re-planned when it comes back.
 *
 * <p>Thread safety: any number of threads may call {@code forward} at once, each with its own
 * output. Results do not depend on the number of threads: every output element is summed by one
 * thread in one fixed order, so they are bitwise identical for any thread count.
 *
 * <p>The layer owns its packed copy of the weights (off-heap); {@link #close()} frees it, waiting
 * for calls in progress to finish. Calls after {@code close} throw {@link IllegalStateException}.
 *
 * <p>The layer needs the incubating Vector API: on the class path, run the JVM with
 * {@code --add-modules jdk.incubator.vector}; {@link Builder#build()} throws
 * {@link IllegalStateException} naming that flag when it is missing.
 */
public final class ConvTransposeLayer implements AutoCloseable {

    /** How many input shapes' plans {@code forward} keeps: a few resolutions times a few batch sizes. */
    public static final int CACHED_PLANS = 8;

    /** Never started: a confined segment is accessible by its owner only, so not by this thread. */
    private static final Thread NOT_AN_OWNER = new Thread(() -> { });

    /** Set in {@link #state} once the layer is closed; the other bits count the calls admitted. */
    private static final int CLOSED = Integer.MIN_VALUE;

    /**
     * The layers whose {@code forward} each thread is inside, so that {@link #close()} on such a
     * thread (an executor running a task on the caller) refuses instead of waiting for itself.
     */
    private static final ThreadLocal<ActiveCalls> ACTIVE = new ThreadLocal<>();

    private final ConvTransposeSpec spec;
    private final Epilogue epilogue;
    private final Arena arena;
    private final PackedWeights weights;
    /**
     * Admission and closing in one word, so that no call can be admitted once {@link #close()}
     * has set {@link #CLOSED}: from then on the count only falls, and close waits for it alone.
     */
    private final AtomicInteger state = new AtomicInteger();
    /** The thread waiting in {@link #close()}, which the last admitted call wakes as it leaves. */
    private volatile Thread closer;
    /** The plans of recent input shapes; replaced under its own lock, read without one. */
    private final AtomicReferenceArray<ConvTransposePlan> plans = new AtomicReferenceArray<>(CACHED_PLANS);
    /** The clock hand of the plan cache's eviction: the next slot to consider. Guarded by {@link #plans}. */
    private int evictionHand;

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

    /**
     * Compiles convt's kernels before a first real call: runs tiny synthetic layers of every kind
     * the kernels plan for (a few channels, maps a vector or two wide) on short-lived threads of
     * its own until C2 has compiled their code, which it tells by what a call allocates
     * (interpreted or C1-compiled Vector API code allocates an object for every vector operation,
     * C2's code next to nothing). Without it, the first calls of a fresh JVM run the kernels in the
     * interpreter and C1, a hundred times slower than later calls or more. To make the first call
     * of a layer cheap as well, also {@link #plan plan} its input shape ahead: planning a large
     * layer's shape is itself slow while its code is cold.
     *
     * <p>Once per JVM: later calls return at once, and a call while another thread (or
     * {@link #warmUpInBackground()}) is warming up waits for it. It touches no layer of the caller,
     * so results are the same, bitwise, with or without it, and it keeps nothing: its layers,
     * operands and threads are gone when it returns. It costs more CPU time than one cold call of
     * a large layer (README, "Cold start"): it is for servers, before their first request, not for
     * one-shot programs. It stops after 30 s in any case, and at once where it cannot help (an
     * interpreter-only JVM, tiered compilation stopped below C2, or a JVM that cannot count a
     * thread's allocations). If interrupted it returns early with the thread's interrupt flag set,
     * and the warm-up it cut short is not resumed.
     *
     * @throws IllegalStateException if this JVM lacks the Vector API, as for {@link Builder#build()}
     */
    public static void warmUp() {
        requireVectorApi();
        WarmUp.await();
    }

    /**
     * Starts {@link #warmUp()} on a daemon thread and returns at once: for a server that has other
     * start-up work to overlap with it. The thread ends when the warm-up does; once per JVM, like
     * {@code warmUp()}, which a caller may still call to wait for it. On a machine with few cores
     * it competes with the caller for them, and a {@code forward} that starts before it has ended
     * is cold for the kernels it has not compiled yet.
     *
     * @throws IllegalStateException if this JVM lacks the Vector API, as for {@link Builder#build()}
     */
    public static void warmUpInBackground() {
        requireVectorApi();
        WarmUp.start();
    }

    private static void requireVectorApi() {
        if (!VectorApi.PRESENT) {
            throw new IllegalStateException(VectorApi.MISSING);
        }
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
     * @param inputShape {@code (N, Cin, H, W)}, {@code (N, Cin, W)} for a 1-D spec,
     *     {@code (N, Cin, D, H, W)} for a 3-D spec
     * @return the output shape {@code forward} expects for that input
     */
    public long[] outputShape(long... inputShape) {
        return spec.geometry(inputShape).outputShape();
    }

    /**
     * The layer's plan for one input shape, made now or taken from the layer's cache of recent
     * shapes (and then kept there). Planning allocates the plan's tables; running a plan does not.
     * A plan stays valid, and keeps its tables, as long as the caller holds it, whether or not the
     * cache still does.
     *
     * @param inputShape {@code (N, Cin, H, W)}, {@code (N, Cin, W)} for a 1-D spec,
     *     {@code (N, Cin, D, H, W)} for a 3-D spec
     * @return the plan for that shape
     * @throws IllegalArgumentException if the shape does not fit the spec
     * @throws IllegalStateException if the layer is closed
     */
    public ConvTransposePlan plan(long... inputShape) {
        Objects.requireNonNull(inputShape, "inputShape");
        admit();
        try {
            ConvTransposeGeometry g = spec.geometry(inputShape);
            ConvTransposePlan p = cached(g.inputShape());
            return p != null ? p : cache(g);
        } finally {
            leave();
        }
    }

    /**
     * Runs the layer on the calling thread.
     *
     * @param input {@code (N, Cin, H, W)} (or {@code (N, Cin, W)} for 1-D, {@code (N, Cin, D, H, W)}
     *     for 3-D), off-heap
     * @param output of shape {@link #outputShape}, off-heap, not overlapping the input; fully
     *     overwritten
     * @throws IllegalArgumentException if a shape does not fit, a tensor is on the heap, or the
     *     tensors overlap
     * @throws IllegalStateException if the layer or a tensor's arena is closed
     */
    public void forward(Tensor input, Tensor output) {
        run(null, input, output, null, 1);
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
        run(null, input, output, null, requireThreads(threads));
    }

    /**
     * Runs the layer on the caller's executor with up to {@code parallelism} concurrent workers
     * (the calling thread is one of them and also works, so a saturated executor cannot stall the
     * call). The result is bitwise identical to {@link #forward(Tensor, Tensor)}. The executor may
     * run a worker on the calling thread; it must not call {@link #close()} there (see close).
     *
     * @param input as for {@link #forward(Tensor, Tensor)}
     * @param output as for {@link #forward(Tensor, Tensor)}
     * @param executor runs the extra workers
     * @param parallelism at least 1
     */
    public void forward(Tensor input, Tensor output, Executor executor, int parallelism) {
        run(null, input, output, requireExecutor(executor, parallelism), parallelism);
    }

    static int requireThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        }
        return threads;
    }

    static Executor requireExecutor(Executor executor, int parallelism) {
        Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism " + parallelism + " must be at least 1");
        }
        return executor;
    }

    /**
     * One call: {@code given}'s plan, or the cached plan for the input's shape; on the shared pool
     * when {@code executor} is null (the calling thread alone for {@code parallelism} 1). Whatever
     * is thrown, the call leaves as it was admitted.
     */
    void run(ConvTransposePlan given, Tensor input, Tensor output, Executor executor, int parallelism) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        admit();
        ActiveCalls active = null;
        try {
            active = ActiveCalls.enter(this);
            ExecutionPlan plan = given != null ? planOf(given, input) : planFor(input, output);
            checkTensors(plan, input, output);
            if (parallelism > 1 && plan.taskCount() > 1) {
                requireShared("input", input);
                requireShared("output", output);
            }
            if (executor == null) {
                TaskRunner.runOnSharedPool(plan, input.segment(), output.segment(), parallelism);
            } else {
                TaskRunner.runOn(executor, plan, input.segment(), output.segment(), parallelism);
            }
        } finally {
            if (active != null) {
                active.leave();
            }
            leave();
        }
    }

    /** Counts a call in, unless the layer is closed: a refused call never shows in the count. */
    private void admit() {
        int s = state.get();
        while (true) {
            if (s < 0) {
                throw new IllegalStateException("layer is closed");
            }
            int seen = state.compareAndExchange(s, s + 1);
            if (seen == s) {
                return;
            }
            s = seen;
        }
    }

    private void leave() {
        if (state.decrementAndGet() == CLOSED) {
            LockSupport.unpark(closer);
        }
    }

    private static ExecutionPlan planOf(ConvTransposePlan given, Tensor input) {
        ExecutionPlan plan = given.executionPlan();
        if (!plan.matchesInput(input)) {
            throw new IllegalArgumentException("input shape " + Shapes.format(input.shape())
                    + " != the plan's input shape " + Shapes.format(plan.geometry().inputShape()));
        }
        return plan;
    }

    private ExecutionPlan planFor(Tensor input, Tensor output) {
        for (int i = 0; i < CACHED_PLANS; i++) {
            ConvTransposePlan p = plans.get(i);
            if (p != null && p.executionPlan().matchesInput(input)) {
                p.touch();
                return p.executionPlan();
            }
        }
        ConvTransposeGeometry g = spec.geometry(input.shape());
        // Before planning, which sizes tables by the output: a wrong output must cost nothing.
        if (!Arrays.equals(output.shape(), g.outputShape())) {
            throw wrongOutput(g, input, output);
        }
        return cache(g).executionPlan();
    }

    private ConvTransposePlan cached(long[] inputShape) {
        for (int i = 0; i < CACHED_PLANS; i++) {
            ConvTransposePlan p = plans.get(i);
            if (p != null && p.accepts(inputShape)) {
                p.touch();
                return p;
            }
        }
        return null;
    }

    /**
     * Plans {@code g} and caches the plan, unless another thread cached one for the shape
     * meanwhile. Planning runs outside the lock, so a slow plan never holds up other shapes. A
     * full cache evicts by the clock rule: the first plan, from the hand on, not used since the
     * hand last passed it.
     */
    private ConvTransposePlan cache(ConvTransposeGeometry g) {
        ConvTransposePlan made = new ConvTransposePlan(this, ExecutionPlan.create(g, weights, epilogue));
        synchronized (plans) {
            ConvTransposePlan raced = cached(g.inputShape());
            if (raced != null) {
                return raced;
            }
            for (int i = 0; i < CACHED_PLANS; i++) {
                ConvTransposePlan p = plans.get(evictionHand);
                if (p == null || !p.recentlyUsed()) {
                    break;
                }
                p.age();
                evictionHand = (evictionHand + 1) % CACHED_PLANS;
            }
            plans.set(evictionHand, made);
            evictionHand = (evictionHand + 1) % CACHED_PLANS;
            return made;
        }
    }

    private static IllegalArgumentException wrongOutput(ConvTransposeGeometry g, Tensor input, Tensor output) {
        return new IllegalArgumentException("output shape " + Shapes.format(output.shape())
                + " != expected " + Shapes.format(g.outputShape()) + " for input "
                + Shapes.format(input.shape()));
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
     * Refuses new calls at once, waits for the calls already admitted to finish, then frees the
     * packed weights and the cached plans. Idempotent; a second thread closing meanwhile waits for
     * the first. Refused calls never delay it, however many keep arriving.
     *
     * <p>A thread inside this layer's {@code forward} cannot wait for its own call: close() there
     * (typically from the {@link Executor} passed to {@code forward}, which may run a worker on
     * the calling thread) throws {@link IllegalStateException} and leaves the layer open. Likewise
     * an executor must not make {@code forward} wait for another thread that is closing the layer.
     *
     * @throws IllegalStateException if the calling thread is inside this layer's {@code forward}
     */
    @Override
    public void close() {
        ActiveCalls active = ACTIVE.get();
        if (active != null && active.contains(this)) {
            throw new IllegalStateException("close() called from inside this layer's forward on the same thread (for"
                    + " example by the Executor passed to forward): it would wait for its own call; close the layer"
                    + " after forward returns");
        }
        synchronized (this) {
            if (state.get() < 0) {
                return;
            }
            closer = Thread.currentThread();
            boolean interrupted = false;
            state.getAndAdd(CLOSED);
            while (state.get() != CLOSED) {
                LockSupport.park(this);
                // park returns at once while the flag is set: clear it to wait, restore it after.
                interrupted |= Thread.interrupted();
            }
            closer = null;
            for (int i = 0; i < CACHED_PLANS; i++) {
                plans.set(i, null);
            }
            arena.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether the kernels' Vector API can load. Without it the first kernel class fails with a
     * NoClassDefFoundError deep in {@code forward}; checked once, here, it fails at build with the fix.
     */
    private static final class VectorApi {
        static final String MISSING = "convt needs the Vector API, module jdk.incubator.vector, which this JVM did not"
                + " load: add --add-modules jdk.incubator.vector to the java command (on the class path also to"
                + " surefire's argLine and exec's arguments); a named module that requires dev.convt gets it resolved";
        static final boolean PRESENT = loads("jdk.incubator.vector.FloatVector");

        private static boolean loads(String className) {
            try {
                Class.forName(className, false, ConvTransposeLayer.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }

    /** The layers a thread is inside the {@code forward} of, innermost last; one record per thread, reused. */
    private static final class ActiveCalls {
        private ConvTransposeLayer[] layers = new ConvTransposeLayer[2];
        private int depth;

        static ActiveCalls enter(ConvTransposeLayer layer) {
            ActiveCalls a = ACTIVE.get();
            if (a == null) {
                a = new ActiveCalls();
                ACTIVE.set(a);
            }
            if (a.depth == a.layers.length) {
                a.layers = Arrays.copyOf(a.layers, 2 * a.depth);
            }
            a.layers[a.depth++] = layer;
            return a;
        }

        void leave() {
            layers[--depth] = null;
        }

        boolean contains(ConvTransposeLayer layer) {
            for (int i = 0; i < depth; i++) {
                if (layers[i] == layer) {
                    return true;
                }
            }
            return false;
        }
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
            if (!Shapes.fitsWeights(spec, w.shape())) {
                throw new IllegalArgumentException("weights shape " + Shapes.format(w.shape())
                        + " != expected " + Shapes.format(spec.weightShape())
                        + " ([Cin, Cout/groups, kernel...]) for " + spec);
            }
            this.weights = w.segment();
            return this;
        }

        /**
         * Sets the weights from a segment.
         *
         * @param w weights in PyTorch layout {@code [Cin, Cout/groups, kH, kW]} (3-D:
         *     {@code [Cin, Cout/groups, kD, kH, kW]}), C order, exactly
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
         * @param w weights in PyTorch layout {@code [Cin, Cout/groups, kH, kW]} (3-D:
         *     {@code [Cin, Cout/groups, kD, kH, kW]}), C order
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
                throw new IllegalArgumentException("bias shape " + Shapes.format(b.shape())
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
            this.batchNorm = BatchNormFold.of(spec.outChannels(), gamma, beta, mean, variance, eps);
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
         * @throws IllegalStateException if this JVM lacks the Vector API: on the class path it needs
         *     {@code --add-modules jdk.incubator.vector}
         */
        public ConvTransposeLayer build() {
            requireVectorApi();
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
