package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import dev.convt.bench.OneDnnDeconvolution.Layout;
import java.util.Locale;
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
 * oneDNN's {@code deconvolution_forward} on one suite layer ({@link OneDnnDeconvolution}): plain
 * NCHW source and destination, or oneDNN's own layouts. Besides {@link LayerBenchmark}'s checks,
 * the implementation oneDNN chose is recorded for the report ({@link PeerInfo}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class OneDnnBenchmark extends LayerBenchmark {

    /** {@code nchw} or {@code own}: the {@link Layout} of source and destination. */
    @Param({"nchw", "own"})
    public String layout;

    private OneDnnDeconvolution dnnl;

    @Override
    void open(LayerData data) {
        dnnl = OneDnnDeconvolution.open(data, Layout.valueOf(layout.toUpperCase(Locale.ROOT)), threads);
        dnnl.poisonOutput();
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

    @Override
    void call() {
        forward();
    }

    @Override
    float[] output() {
        return dnnl.output();
    }

    @Override
    Implementation implementation() {
        return layout.equals("own") ? Implementation.ONEDNN_OWN : Implementation.ONEDNN_NCHW;
    }

    @Override
    void release() {
        dnnl.close();
    }
}
