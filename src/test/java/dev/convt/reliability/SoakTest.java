package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Tolerance;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A soak: {@link #CALLERS} threads call {@code forward} on shared layers of mixed shapes (1 to 4
 * threads per call, alternating input shapes, which switches each layer's plan) while
 * {@link #CHURNERS} other threads build, use and close layers of their own; every result is
 * checked against {@link DirectReference} within the float32 summation bound. The process's
 * native memory (resident minus heap) and its heap after a collection are sampled and must stay
 * flat: the last quarter of the run may not exceed the second quarter by more than
 * {@link #NATIVE_SLACK} and {@link #HEAP_SLACK}.
 *
 * <p>A few seconds by default; {@code -Dconvt.soak.minutes=10} for the long run.
 */
class SoakTest {

    private static final int CALLERS = 8;
    private static final int CHURNERS = 2;
    private static final long NATIVE_SLACK = 64L << 20;
    private static final long HEAP_SLACK = 32L << 20;

    /** A layer's parameters and, per input shape, an input and its reference result. */
    private record Template(ConvTransposeSpec spec, float[] weights, float[] bias, List<long[]> shapes,
            List<float[]> inputs, List<DirectReference.Result> expected) {

        static Template of(ConvTransposeSpec spec, SplittableRandom r, long[]... shapes) {
            float[] w = values(r, (int) spec.weightCount());
            float[] b = values(r, spec.outChannels());
            List<float[]> inputs = new ArrayList<>();
            List<DirectReference.Result> expected = new ArrayList<>();
            for (long[] shape : shapes) {
                float[] x = values(r, (int) spec.geometry(shape).inputCount());
                inputs.add(x);
                expected.add(DirectReference.forwardWithMagnitudes(spec.geometry(shape), x, w, b, null));
            }
            return new Template(spec, w, b, List.of(shapes), inputs, expected);
        }

        ConvTransposeLayer build() {
            return ConvTransposeLayer.builder(spec).weights(weights).bias(bias).build();
        }

        /** Runs shape {@code s} on {@code layer} with {@code threads} and checks the result. */
        void check(ConvTransposeLayer layer, int s, int threads) {
            try (Arena arena = Arena.ofShared()) {
                Tensor x = Tensor.of(arena, inputs.get(s), shapes.get(s));
                Tensor y = Tensor.allocate(arena, layer.outputShape(shapes.get(s)));
                if (threads == 1) {
                    layer.forward(x, y);
                } else {
                    layer.forward(x, y, threads);
                }
                Tolerance.assertClose(spec + " on " + Arrays.toString(shapes.get(s)) + ", " + threads + " threads",
                        expected.get(s), spec, y.toArray());
            }
        }
    }

    private static float[] values(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static List<Template> templates() {
        SplittableRandom r = new SplittableRandom(20261202);
        return List.of(
                Template.of(ConvTransposeSpec.builder(32, 16, 4, 4).stride(2).padding(1).build(), r,
                        new long[] {1, 32, 16, 16}, new long[] {2, 32, 7, 9}),
                Template.of(ConvTransposeSpec.builder(64, 64, 4, 4).stride(2).padding(1).build(), r,
                        new long[] {1, 64, 4, 4}, new long[] {1, 64, 2, 3}),
                Template.of(ConvTransposeSpec.builder1d(32, 16, 16).stride(8).padding(4).build(), r,
                        new long[] {1, 32, 64}, new long[] {1, 32, 37}),
                Template.of(ConvTransposeSpec.builder1d(16, 8, 4).stride(2).padding(1).build(), r,
                        new long[] {1, 16, 2048}, new long[] {2, 16, 301}),
                Template.of(ConvTransposeSpec.builder(16, 16, 4, 4).groups(16).stride(2).padding(1).build(), r,
                        new long[] {1, 16, 24, 40}, new long[] {1, 16, 5, 5}),
                Template.of(ConvTransposeSpec.builder(4, 1, 9, 9).stride(3).padding(4).dilation(1).build(), r,
                        new long[] {1, 4, 20, 20}, new long[] {1, 4, 3, 50}),
                Template.of(ConvTransposeSpec.builder(6, 9, 3, 3).groups(3).stride(2).dilation(2).outputPadding(1)
                        .build(), r, new long[] {1, 6, 11, 13}, new long[] {3, 6, 2, 2}),
                Template.of(ConvTransposeSpec.builder(1, 2, 3, 3).stride(40).build(), r,
                        new long[] {1, 1, 3, 3}, new long[] {1, 1, 1, 4}),
                // 3-D: a map at least 16 wide, and a narrow one with 32 output channels per group.
                Template.of(ConvTransposeSpec.builder3d(8, 8, 3, 4, 4).stride(2).padding(1).build(), r,
                        new long[] {1, 8, 4, 6, 20}, new long[] {2, 8, 2, 3, 17}),
                Template.of(ConvTransposeSpec.builder3d(16, 64, 2, 3, 3).stride(2, 1, 2).groups(2).build(), r,
                        new long[] {1, 16, 3, 4, 4}, new long[] {1, 16, 2, 2, 7}));
    }

    /** Resident memory of this process, from Linux's /proc. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status", e);
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    private static long median(List<Long> samples, int quarter) {
        int n = samples.size();
        List<Long> part = new ArrayList<>(samples.subList(n * quarter / 4, Math.max(n * quarter / 4 + 1, n * (quarter + 1) / 4)));
        part.sort(null);
        return part.get(part.size() / 2);
    }

    @Test
    void mixedLayersUnderConcurrentCallsAndChurnStayCorrectAndFlat() throws Exception {
        String minutes = System.getProperty("convt.soak.minutes");
        long nanos = minutes == null ? TimeUnit.SECONDS.toNanos(4) : (long) (Double.parseDouble(minutes) * 60e9);
        long sampleMillis = minutes == null ? 100 : 2000;
        List<Template> templates = templates();
        List<ConvTransposeLayer> shared = templates.stream().map(Template::build).toList();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong calls = new AtomicLong();
        AtomicLong built = new AtomicLong();
        long deadline = System.nanoTime() + nanos;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CALLERS + CHURNERS; t++) {
            boolean churner = t >= CALLERS;
            long seed = t;
            threads.add(Thread.ofPlatform().name(churner ? "soak-churner" : "soak-caller").start(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                try {
                    while (System.nanoTime() < deadline && failure.get() == null) {
                        int k = r.nextInt(templates.size());
                        Template template = templates.get(k);
                        if (churner) {
                            try (ConvTransposeLayer own = template.build()) {
                                for (int i = r.nextInt(3); i > 0; i--) {
                                    template.check(own, r.nextInt(template.shapes().size()), 1 + r.nextInt(4));
                                    calls.incrementAndGet();
                                }
                            }
                            built.incrementAndGet();
                        } else {
                            template.check(shared.get(k), r.nextInt(template.shapes().size()), 1 + r.nextInt(4));
                            calls.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        List<Long> nativeBytes = new ArrayList<>();
        List<Long> heapBytes = new ArrayList<>();
        while (System.nanoTime() < deadline && failure.get() == null) {
            Thread.sleep(sampleMillis);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heapBytes.add(rt.totalMemory() - rt.freeMemory());
            nativeBytes.add(residentBytes() - rt.totalMemory());
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
        }
        shared.forEach(ConvTransposeLayer::close);
        if (failure.get() != null) {
            throw new AssertionError("soak failed after " + calls.get() + " calls", failure.get());
        }
        long nativeEarly = median(nativeBytes, 1);
        long nativeLate = median(nativeBytes, 3);
        long heapEarly = median(heapBytes, 1);
        long heapLate = median(heapBytes, 3);
        System.out.printf("[convt.soak] %.1f min: %d checked calls, %d layers built and closed, %d samples;"
                + " native %d -> %d MB, heap after GC %d -> %d MB (medians of the second and last quarters),"
                + " native max %d MB%n", nanos / 60e9, calls.get(), built.get(), nativeBytes.size(), nativeEarly >> 20,
                nativeLate >> 20, heapEarly >> 20, heapLate >> 20, nativeBytes.stream().mapToLong(Long::longValue).max()
                        .orElse(0) >> 20);
        assertTrue(calls.get() >= CALLERS, "only " + calls.get() + " calls");
        assertTrue(nativeLate - nativeEarly <= NATIVE_SLACK, "native memory grew from " + (nativeEarly >> 20) + " to "
                + (nativeLate >> 20) + " MB: " + nativeBytes);
        assertTrue(heapLate - heapEarly <= HEAP_SLACK, "heap after GC grew from " + (heapEarly >> 20) + " to "
                + (heapLate >> 20) + " MB: " + heapBytes);
    }
}
