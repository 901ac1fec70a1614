package dev.convt.bench;

import dev.convt.ConvTransposeLayer;
import dev.convt.Tensor;
import dev.convt.bench.BenchResults.Implementation;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * convt's {@link ConvTransposeLayer#forward(Tensor, Tensor, int)} on one suite layer. Tensors and
 * the layer are made once per trial, so a measured call allocates only what convt itself does;
 * the checks and the allocation count are {@link LayerBenchmark}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class ConvtBenchmark extends LayerBenchmark {

    private Arena arena;
    private ConvTransposeLayer convt;
    private Tensor input;
    private Tensor output;

    @Override
    void open(LayerData data) {
        SuiteLayer suiteLayer = data.layer();
        // Shared, because forward(..., threads) reads and writes the tensors from worker threads.
        arena = Arena.ofShared();
        input = Tensor.of(arena, data.input(), suiteLayer.inputShape());
        output = Tensor.allocate(arena, suiteLayer.geometry().outputShape());
        convt = ConvTransposeLayer.builder(suiteLayer.spec()).weights(data.weights()).bias(data.bias()).build();
        output.fill(Float.NaN);
    }

    @Benchmark
    public void forward() {
        convt.forward(input, output, threads);
    }

    @Override
    void call() {
        forward();
    }

    @Override
    float[] output() {
        return output.toArray();
    }

    @Override
    Implementation implementation() {
        return Implementation.CONVT;
    }

    @Override
    void release() {
        try {
            convt.close();
        } finally {
            arena.close();
        }
    }
}
