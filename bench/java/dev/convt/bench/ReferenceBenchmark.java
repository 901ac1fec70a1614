package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.reference.DirectReference;
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
 * The scalar reference ({@link DirectReference}, sums in double) on one suite layer: the baseline the report's speed-ups are measured
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
    private ConvTransposeGeometry geometry;

    @Setup(Level.Trial)
    public void setUp() {
        SuiteLayer suiteLayer = SuiteLayer.byId(layer);
        data = LayerData.of(suiteLayer);
        geometry = suiteLayer.geometry();
    }

    /** @return the output, so it is not dead code; the reference allocates it on every call */
    @Benchmark
    public float[] forward() {
        return DirectReference.forward(geometry, data.input(), data.weights(), data.bias(), Epilogue.NONE);
    }
}
