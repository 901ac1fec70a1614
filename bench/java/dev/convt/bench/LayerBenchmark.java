package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every per-layer benchmark of an implementation does around its timed call: the layer and
 * thread-count parameters, operands made once per trial, the output checked against the
 * reference before and after timing, and the calling thread's allocation per call measured after
 * it ({@link CallAllocation}). A subclass makes its operands and names its {@code @Benchmark} call.
 */
@State(Scope.Benchmark)
public abstract class LayerBenchmark {

    /** A {@link SuiteLayer} id; {@link BenchSuite} passes the selected layers. */
    @Param("dcgan_l2")
    public String layer;

    /** Threads per call: convt's forward threads, ONNX Runtime's intra-op threads, oneDNN's OpenMP threads. */
    @Param("1")
    public int threads;

    private SuiteLayer suiteLayer;
    private ExpectedOutput expected;

    /**
     * Makes the operands for {@code data}'s layer, with every output element NaN, so that one the
     * implementation never writes fails the check.
     *
     * @param data the layer, its input, weights and bias
     * @throws Exception if the implementation refuses the layer
     */
    abstract void open(LayerData data) throws Exception;

    /**
     * One call, as the subclass's {@code @Benchmark} method makes it.
     *
     * @throws Exception if the call fails
     */
    abstract void call() throws Exception;

    /** @return the last call's output in C order */
    abstract float[] output();

    /** @return what runs */
    abstract Implementation implementation();

    /**
     * Frees what {@link #open} made.
     *
     * @throws Exception if the implementation fails to free it
     */
    abstract void release() throws Exception;

    /**
     * Loads the layer, makes the operands, and checks one call.
     *
     * @throws Exception if making the operands or the call fails
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        suiteLayer = SuiteLayer.byId(layer);
        LayerData data = LayerData.of(suiteLayer);
        expected = ExpectedOutput.forLayer(data);
        open(data);
        call();
        checkOutput();
    }

    /**
     * Measures the calling thread's allocation per call, checks the output again, and frees the operands.
     *
     * @throws Exception if a call or freeing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            CallAllocation.record(implementation(), layer, threads, this::call);
            checkOutput();
        } finally {
            release();
        }
    }

    private void checkOutput() {
        expected.check(implementation().label + ", " + threads + " thread(s)", suiteLayer, output());
    }
}
