package dev.convt.bench;

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

/**
 * The scalar reference on one suite layer: the baseline the report's speed-ups are measured
 * against. {@link BenchSuite} gives it fewer iterations and leaves out layers whose single call
 * would take too long.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class ReferenceBenchmark {

    /** A {@link SuiteLayer} id; {@link BenchSuite} passes the selected layers. */
    @Param("dcgan_l2")
    public String layer;

    private LayerData data;
    private ScalarReference reference;
    private double[] output;

    @Setup(Level.Trial)
    public void setUp() {
        SuiteLayer suiteLayer = SuiteLayer.byId(layer);
        data = LayerData.of(suiteLayer);
        reference = new ScalarReference(suiteLayer.geometry());
        output = new double[Math.toIntExact(suiteLayer.geometry().outputCount())];
    }

    @Benchmark
    public void forward() {
        reference.forward(data.input(), data.weights(), data.bias(), output);
    }
}
