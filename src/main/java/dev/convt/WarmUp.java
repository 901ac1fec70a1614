package dev.convt;

import dev.convt.kernel.ExecutionPlan;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;

/**
 * The JVM-wide warm-up behind {@link ConvTransposeLayer#warmUp()}: runs tiny layers of every kind
 * the kernels plan for until C2 has compiled their code, so that a real layer's first call does
 * not run the Vector API in the interpreter and C1, where every vector operation is an object.
 *
 * <p>How it tells: interpreted or C1-compiled, a call allocates at least one vector object per
 * vector operation, over 2 bytes per flop at any vector width; compiled by C2 it allocates a few
 * kilobytes at most, whatever its size. A call that allocates less than {@link #SLACK_BYTES} plus
 * {@link #FLOPS_PER_BYTE}-th of its flops has run compiled vector code. Unlike a timing, that does
 * not depend on how loaded the machine is.
 */
final class WarmUp {

    /** Bounds the warm-up where C2 is slow to come (a loaded machine) or never comes. */
    static final long MAX_NANOS = 30_000_000_000L;

    /** Compiled rounds in a row that end the warm-up: one could be a collection's lucky timing. */
    private static final int QUIET_ROUNDS = 2;

    /** What a compiled call may allocate whatever its size (a plan's per-call buffers). */
    static final long SLACK_BYTES = 32 << 10;

    /** A compiled call allocates less than a byte per this many flops, uncompiled ones over 2 per flop. */
    static final int FLOPS_PER_BYTE = 8;

    /** Runs once per JVM, on whichever thread gets to it first; others wait for it. */
    private static final FutureTask<Void> TASK = new FutureTask<>(WarmUp::compile, null);
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private WarmUp() {}

    /** Runs the warm-up on this thread, or waits for the thread already running it. */
    static void await() {
        TASK.run();
        try {
            TASK.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("convt's warm-up failed", e.getCause());
        }
    }

    /** Starts the warm-up on a daemon thread, unless it has started. */
    static void start() {
        if (STARTED.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("convt-warm-up").start(TASK);
        }
    }

    /** {@return whether the warm-up has finished} */
    static boolean done() {
        return TASK.isDone();
    }

    /** One small layer and its operands. */
    private record Call(ConvTransposeLayer layer, Tensor x, Tensor y, long compiledBytes) {
        /** {@return whether the call ran compiled vector code, judged by what it allocated} */
        boolean run(com.sun.management.ThreadMXBean threads) {
            long before = threads.getCurrentThreadAllocatedBytes();
            layer.forward(x, y);
            return threads.getCurrentThreadAllocatedBytes() - before <= compiledBytes;
        }
    }

    private static void compile() {
        if (!compilesVectors()) {
            return;
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            return; // No signal to stop on: better no warm-up than one that spins to its bound.
        }
        List<Call> calls = new ArrayList<>();
        // Shared: each round runs on a thread of its own.
        try (Arena arena = Arena.ofShared()) {
            try {
                addCalls(arena, calls);
                long start = System.nanoTime();
                int quiet = 0;
                while (quiet < QUIET_ROUNDS && System.nanoTime() - start < MAX_NANOS) {
                    quiet = round(calls, threads) ? quiet + 1 : 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                for (Call c : calls) {
                    c.layer().close();
                }
            }
        }
    }

    /**
     * Runs every call twice on a new thread, whose buffers start empty as a real first call's do:
     * so the compiled kernels have seen their buffers grow, and a first call growing them does not
     * hit a branch compiled as a trap (which threw away the kernel's compiled task loop). Only the
     * second pass is judged: the first allocates the thread's buffers.
     *
     * @return whether every call of the second pass ran compiled code
     */
    private static boolean round(List<Call> calls, com.sun.management.ThreadMXBean threads)
            throws InterruptedException {
        boolean[] compiled = {true};
        Thread t = Thread.ofPlatform().daemon().name("convt-warm-up-round").start(() -> {
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).run(threads);
            }
            // Indexed: an iterator would be an allocation of the loop itself.
            for (int i = 0; i < calls.size(); i++) {
                compiled[0] &= calls.get(i).run(threads);
            }
        });
        t.join();
        return compiled[0];
    }

    /** {@return whether this JVM has C2 to wait for: not with -Xint, nor with tiers stopped below 4} */
    private static boolean compilesVectors() {
        if (ManagementFactory.getCompilationMXBean() == null) {
            return false;
        }
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            return true; // Not HotSpot: its JIT may well compile the kernels; the bound stops the rest.
        }
        return !Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue())
                || Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4;
    }

    /** {@return the kind and tile of each warm-up layer's plan, as "PIXEL_TILED 4x2"}: what it compiles, for tests */
    static List<String> plannedKernels() {
        List<Call> calls = new ArrayList<>();
        List<String> kernels = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            try {
                addCalls(arena, calls);
                for (Call c : calls) {
                    ExecutionPlan plan = c.layer().plan(c.x().shape()).executionPlan();
                    kernels.add(plan.kind() + " " + plan.tile());
                }
            } finally {
                for (Call c : calls) {
                    c.layer().close();
                }
            }
        }
        return kernels;
    }

    /**
     * The suite's kinds of layer (square, wide and narrow pixel tiles, channel tiles, depthwise, 1-D)
     * with a few channels and the narrowest maps that still get each plan, so that C2 compiles the
     * branches real layers take: a branch a warm-up never took is compiled as a trap, and a real
     * layer taking it throws the code away. Two epilogues only (none, ReLU): each other one costs
     * more compiling (the sigmoid and tanh most) than its first use does without a warm-up.
     */
    private static void addCalls(Arena arena, List<Call> calls) {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        // Runs of input channels: 72 channels x 4 taps exceed the kernel's run of 256 steps (rows
        // of output inside the image have all 4 taps with 3 input rows). Few output channels keep
        // the square tile; 10 (40 phase rows, which 6- and 5-row tiles pad little), like most real
        // layers, get the wide tile of either register set.
        calls.add(call(arena, ConvTransposeSpec.builder(72, 4, 4, 4).stride(2).padding(1), Epilogue.NONE,
                1, 72, 3, lanes));
        calls.add(call(arena, ConvTransposeSpec.builder(72, 10, 4, 4).stride(2).padding(1), Epilogue.relu(),
                1, 72, 3, lanes));
        calls.add(call(arena, ConvTransposeSpec.builder(4, 1, 9, 9).stride(3).padding(4).outputPadding(2),
                Epilogue.relu(), 1, 4, 2, lanes));
        calls.add(call(arena, ConvTransposeSpec.builder(8, 32, 4, 4).stride(2).padding(1), Epilogue.relu(),
                1, 8, 2, 2));
        calls.add(call(arena, ConvTransposeSpec.builder(64, 6, 2, 2).stride(2), Epilogue.NONE, 1, 64, 1, lanes));
        calls.add(call(arena, ConvTransposeSpec.builder(8, 8, 16, 16).stride(8).padding(4).groups(8), Epilogue.NONE,
                1, 8, 2, 2));
        calls.add(call(arena, ConvTransposeSpec.builder1d(32, 6, 16).stride(8).padding(4), Epilogue.relu(),
                1, 32, lanes));
        calls.add(call(arena, ConvTransposeSpec.builder(4, 4, 3, 3), Epilogue.NONE, 1, 4, 2, lanes));
    }

    private static Call call(Arena arena, ConvTransposeSpec.Builder builder, Epilogue epilogue, long... inputShape) {
        ConvTransposeSpec spec = builder.build();
        // Small distinct values: any finite weights take the vector plans; zeros would too, but
        // could let a future kernel skip work the warm-up is there to compile.
        float[] w = new float[Math.toIntExact(spec.weightCount())];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7 - 3) / 8f;
        }
        ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(new float[spec.outChannels()])
                .epilogue(epilogue).build();
        ConvTransposeGeometry g = spec.geometry(inputShape);
        Tensor x = Tensor.allocate(arena, inputShape);
        for (long i = 0; i < g.inputCount(); i++) {
            x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 5 - 2) / 4f);
        }
        return new Call(layer, x, Tensor.allocate(arena, g.outputShape()),
                SLACK_BYTES + (long) g.flops() / FLOPS_PER_BYTE);
    }
}
