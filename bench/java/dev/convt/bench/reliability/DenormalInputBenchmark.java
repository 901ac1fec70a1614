package dev.convt.bench.reliability;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whether subnormal inputs slow the kernel down: one DCGAN-sized layer (128 to 64 channels,
 * 4x4, stride 2, 16x16 to 32x32) on the calling thread, with inputs that are normal floats or
 * all subnormal (below 2^-126, so every product and partial sum is subnormal too). Some
 * processors take a slow path for subnormal operands or results; Java cannot flush them to zero.
 *
 * <p>The first calls run the Vector API code interpreted (seconds each), so warmup is long.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 8, time = 1)
public class DenormalInputBenchmark {

    @Param({"normal", "subnormal"})
    public String inputs;

    private Arena arena;
    private ConvTransposeLayer layer;
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(1);
        ConvTransposeSpec spec = ConvTransposeSpec.builder(128, 64, 4, 4).stride(2).padding(1).build();
        float[] w = new float[(int) spec.weightCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() * 2 - 1);
        }
        layer = ConvTransposeLayer.builder(spec).weights(w).bias(new float[64]).build();
        arena = Arena.ofConfined();
        x = Tensor.allocate(arena, 1, 128, 16, 16);
        float scale = inputs.equals("subnormal") ? 0x1p-130f : 1f;
        for (long i = 0; i < x.elementCount(); i++) {
            x.setFlat(i, (float) (r.nextDouble() * 2 - 1) * scale);
        }
        y = Tensor.allocate(arena, layer.outputShape(x.shape()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        layer.close();
        arena.close();
    }

    @Benchmark
    public Tensor forward() {
        layer.forward(x, y);
        return y;
    }
}
