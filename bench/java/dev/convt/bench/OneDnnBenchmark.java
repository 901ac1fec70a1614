package dev.convt.bench;

import dev.convt.bench.OneDnnDeconvolution.Layout;
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
 * oneDNN's {@code deconvolution_forward} on one suite layer ({@link OneDnnDeconvolution}): plain
 * NCHW source and destination, or oneDNN's own layouts. The output is checked against the
 * reference before and after timing, and the implementation oneDNN chose and the calling thread's
 * allocation per call ({@link CallAllocation}) are recorded for the report ({@link PeerInfo}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class OneDnnBenchmark {

    /** A {@link SuiteLayer} id; {@link BenchSuite} passes the selected layers. */
    @Param("dcgan_l2")
    public String layer;

    /** OpenMP threads of one call. */
    @Param("1")
    public int threads;

    /** {@code nchw} or {@code own}: the {@link Layout} of source and destination. */
    @Param({"nchw", "own"})
    public String layout;

    private SuiteLayer suiteLayer;
    private Layout dnnlLayout;
    private ExpectedOutput expected;
    private OneDnnDeconvolution dnnl;

    @Setup(Level.Trial)
    public void setUp() {
        suiteLayer = SuiteLayer.byId(layer);
        dnnlLayout = Layout.valueOf(layout.toUpperCase(java.util.Locale.ROOT));
        LayerData data = LayerData.of(suiteLayer);
        expected = ExpectedOutput.forLayer(data);
        dnnl = OneDnnDeconvolution.open(data, dnnlLayout, threads);
        dnnl.poisonOutput();
        forward();
        checkOutput();
        PeerInfo.record("onednn." + layout + "." + layer + "." + threads, dnnl.implementation());
        PeerInfo.record("onednn.version", OneDnn.get().version());
    }

    /**
     * OpenMP keeps the thread count per calling thread; JMH's worker normally stays the same
     * thread from setup on, and this makes sure of it for every iteration.
     */
    @Setup(Level.Iteration)
    public void setThreads() {
        OneDnn.get().setThreads(threads);
    }

    @Benchmark
    public void forward() {
        dnnl.forward();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            CallAllocation.record(dnnlLayout == Layout.NCHW ? BenchResults.Implementation.ONEDNN_NCHW
                    : BenchResults.Implementation.ONEDNN_OWN, layer, threads, this::forward);
            checkOutput();
        } finally {
            dnnl.close();
        }
    }

    private void checkOutput() {
        expected.check(dnnlLayout.label + ", " + threads + " thread(s)", suiteLayer, dnnl.output());
    }
}
