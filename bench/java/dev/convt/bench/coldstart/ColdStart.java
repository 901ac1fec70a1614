package dev.convt.bench.coldstart;

import ai.onnxruntime.OrtException;
import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import dev.convt.bench.SuiteLayer;
import dev.convt.onnx.OnnxRuntimePeer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One cold-start measurement in this (fresh) JVM: sets a layer up with one implementation, then
 * times every call from the first until {@link #BUDGET_NANOS} have passed, and prints one JSON
 * line. {@link ColdStartSuite} starts one JVM per measurement.
 *
 * <p>Usage: {@code ColdStart convt|convt-warm|convt-warm-plan|convt-bg|onnx LAYER} where LAYER is a {@link SuiteLayer} id or
 * {@code dcgan_268m}, the 268 MFLOP layer (256 -> 128 channels, 16x16 input, kernel 4,
 * stride 2, padding 1). {@code convt-warm} calls {@link ConvTransposeLayer#warmUp()} before
 * building the layer and {@code convt-bg} {@link ConvTransposeLayer#warmUpInBackground()}, both
 * inside the setup, so that the time to the first result includes them; {@code convt-warm-plan}
 * also plans the layer for its input shape ({@link ConvTransposeLayer#plan}) in the setup. One thread on both sides: the machine is shared, and one thread is the
 * figure that varies least.
 */
public final class ColdStart {

    /** How long the calls are repeated: long enough for C2 to have compiled every kernel. */
    static final long BUDGET_NANOS = Duration.ofSeconds(3).toNanos();

    /** At least this many calls, so that the steady state is a median of many. */
    static final int MIN_CALLS = 20;

    /** A call within this factor of the steady state counts as steady. */
    static final double STEADY_FACTOR = 1.5;

    /** Calls whose median decides whether the steady state has begun. */
    static final int WINDOW = 5;

    private ColdStart() {}

    /** A layer: its spec and input shape. */
    record Layer(String id, ConvTransposeSpec spec, long[] inputShape) {

        static Layer of(String id) {
            if (id.equals("dcgan_268m")) {
                return new Layer(id, ConvTransposeSpec.builder(256, 128, 4, 4).stride(2).padding(1).build(),
                        new long[] {1, 256, 16, 16});
            }
            SuiteLayer layer = SuiteLayer.byId(id);
            return new Layer(id, layer.spec(), layer.inputShape());
        }

        ConvTransposeGeometry geometry() {
            return spec.geometry(inputShape);
        }
    }

    /** The calls an implementation makes, after its setup. */
    interface Runner extends AutoCloseable {
        void call() throws Exception;

        /** Plans the layer for its input shape ahead of the first call, where the API lets it. */
        default void plan() {}

        @Override
        void close() throws OrtException;
    }

    /**
     * @param args {@code convt|convt-warm|convt-warm-plan|convt-bg|onnx LAYER[,LAYER...]}
     * @throws Exception if the implementation fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ColdStart convt|convt-warm|convt-warm-plan|convt-bg|onnx LAYER");
        }
        // Several layers (comma-separated) only for an AOT training run, which should see them all.
        for (String id : args[1].split(",")) {
            System.out.println(measure(args[0], Layer.of(id)));
        }
    }

    private static String measure(String implementation, Layer layer) throws Exception {
        long setupStart = System.nanoTime();
        try (Runner runner = switch (implementation) {
            case "convt" -> convt(layer);
            case "convt-warm" -> {
                ConvTransposeLayer.warmUp();
                yield convt(layer);
            }
            case "convt-warm-plan" -> {
                ConvTransposeLayer.warmUp();
                Runner planned = convt(layer);
                planned.plan();
                yield planned;
            }
            case "convt-bg" -> {
                ConvTransposeLayer.warmUpInBackground();
                yield convt(layer);
            }
            case "onnx" -> onnx(layer);
            default -> throw new IllegalArgumentException("unknown implementation '" + implementation + "'");
        }) {
            long setup = System.nanoTime() - setupStart;
            List<Long> calls = new ArrayList<>();
            long start = System.nanoTime();
            Instant firstResult = null;
            Duration cpuAtFirstResult = null;
            while (calls.size() < MIN_CALLS || System.nanoTime() - start < BUDGET_NANOS) {
                long t = System.nanoTime();
                runner.call();
                calls.add(System.nanoTime() - t);
                if (firstResult == null) {
                    firstResult = Instant.now();
                    cpuAtFirstResult = ProcessHandle.current().info().totalCpuDuration().orElseThrow();
                }
            }
            return json(implementation, layer, setup, calls, firstResult, cpuAtFirstResult);
        }
    }

    private static String json(String implementation, Layer layer, long setup, List<Long> calls, Instant firstResult,
            Duration cpuAtFirstResult) {
        long[] times = calls.stream().mapToLong(Long::longValue).toArray();
        // The steady state: the median of the last half, well after C2 has compiled the kernels.
        long[] tail = Arrays.copyOfRange(times, times.length / 2, times.length);
        Arrays.sort(tail);
        double steady = tail[tail.length / 2];
        // Steady from the first call that starts WINDOW calls whose median is within STEADY_FACTOR x
        // steady: one call alone may be slow on a shared machine, a run of slow calls is not steady.
        int steadyFrom = 0;
        while (steadyFrom + WINDOW < times.length && (times[steadyFrom] > STEADY_FACTOR * steady
                || median(Arrays.copyOfRange(times, steadyFrom, steadyFrom + WINDOW)) > STEADY_FACTOR * steady)) {
            steadyFrom++;
        }
        long toSteady = 0;
        for (int i = 0; i < steadyFrom; i++) {
            toSteady += times[i];
        }
        // The process's start time and CPU time have the kernel's clock-tick resolution (10 ms):
        // enough here. CPU time (all threads, the JIT's included) varies less than wall time on a
        // shared machine.
        Instant processStart = ProcessHandle.current().info().startInstant().orElseThrow();
        return String.format(Locale.ROOT,
                "{\"implementation\": \"%s\", \"layer\": \"%s\", \"mflop\": %.1f, \"setup_ms\": %.2f,"
                        + " \"first_call_ms\": %.2f, \"process_start_to_first_result_ms\": %d,"
                        + " \"process_cpu_at_first_result_ms\": %d,"
                        + " \"steady_ms\": %.3f, \"first_over_steady\": %.1f, \"calls_to_steady\": %d,"
                        + " \"time_to_steady_ms\": %.1f, \"calls\": %d}",
                implementation, layer.id(), layer.geometry().flops() / 1e6, setup / 1e6, times[0] / 1e6,
                Duration.between(processStart, firstResult).toMillis(), cpuAtFirstResult.toMillis(), steady / 1e6, times[0] / steady,
                steadyFrom, toSteady / 1e6, times.length);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static float[] uniform(SplittableRandom random, long count) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    private static Runner convt(Layer layer) {
        SplittableRandom random = new SplittableRandom(layer.id().hashCode());
        Arena arena = Arena.ofShared();
        ConvTransposeGeometry g = layer.geometry();
        Tensor x = Tensor.of(arena, uniform(random, g.inputCount()), layer.inputShape());
        Tensor y = Tensor.allocate(arena, g.outputShape());
        ConvTransposeLayer convt = ConvTransposeLayer.builder(layer.spec())
                .weights(uniform(random, layer.spec().weightCount()))
                .bias(uniform(random, layer.spec().outChannels()))
                .build();
        return new Runner() {
            @Override
            public void call() {
                convt.forward(x, y, 1);
            }

            @Override
            public void plan() {
                convt.plan(layer.inputShape());
            }

            @Override
            public void close() {
                convt.close();
                arena.close();
            }
        };
    }

    private static Runner onnx(Layer layer) throws OrtException {
        SplittableRandom random = new SplittableRandom(layer.id().hashCode());
        ConvTransposeGeometry g = layer.geometry();
        float[] input = uniform(random, g.inputCount());
        OnnxRuntimePeer peer = OnnxRuntimePeer.open(layer.spec(), layer.inputShape(),
                uniform(random, layer.spec().weightCount()), uniform(random, layer.spec().outChannels()), 1);
        Arena arena = Arena.ofShared();
        MemorySegment in = arena.allocate((long) input.length * Float.BYTES, 64);
        MemorySegment.copy(input, 0, in, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, input.length);
        MemorySegment out = arena.allocate(g.outputCount() * Float.BYTES, 64);
        FloatBuffer inBuffer = in.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer outBuffer = out.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        return new Runner() {
            @Override
            public void call() throws OrtException {
                peer.run(inBuffer, outBuffer);
            }

            @Override
            public void close() throws OrtException {
                peer.close();
                arena.close();
            }
        };
    }
}
