package dev.convt.bench;

import dev.convt.ConvTransposeLayer;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * convt's {@link ConvTransposeLayer#forward(Tensor, Tensor, int)} on one suite layer. Tensors and
 * the layer are made once per trial, so a measured call allocates only what convt itself does.
 * The output is checked against the reference before and after timing, and the calling thread's
 * allocation per call measured after it ({@link CallAllocation}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class ConvtBenchmark {

    /** A {@link SuiteLayer} id; {@link BenchSuite} passes the selected layers. */
    @Param("dcgan_l2")
    public String layer;

    /** Worker threads for one forward call. */
    @Param("1")
    public int threads;

    private SuiteLayer suiteLayer;
    private ExpectedOutput expected;
    private Arena arena;
    private ConvTransposeLayer convt;
    private Tensor input;
    private Tensor output;

    @Setup(Level.Trial)
    public void setUp() {
        suiteLayer = SuiteLayer.byId(layer);
        LayerData data = LayerData.of(suiteLayer);
        expected = ExpectedOutput.forLayer(data);
        // Shared, because forward(..., threads) reads and writes the tensors from worker threads.
        arena = Arena.ofShared();
        input = Tensor.of(arena, data.input(), suiteLayer.inputShape());
        output = Tensor.allocate(arena, suiteLayer.geometry().outputShape());
        convt = ConvTransposeLayer.builder(suiteLayer.spec()).weights(data.weights()).bias(data.bias()).build();
        // NaN makes an output element the kernel never writes fail the check.
        output.fill(Float.NaN);
        forward();
        checkOutput();
    }

    @Benchmark
    public void forward() {
        convt.forward(input, output, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            CallAllocation.record(BenchResults.Implementation.CONVT, layer, threads, this::forward);
            checkOutput();
        } finally {
            convt.close();
            arena.close();
        }
    }

    private void checkOutput() {
        expected.check("convt, " + threads + " thread(s)", suiteLayer, output.toArray());
    }
}
