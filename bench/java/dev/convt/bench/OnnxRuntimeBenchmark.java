package dev.convt.bench;

import ai.onnxruntime.OrtException;
import dev.convt.onnx.OnnxRuntimePeer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
 * ONNX Runtime running the same layer, with the same weights, as a one-node ConvTranspose model.
 * Input and output live in off-heap memory that ONNX Runtime reads and writes in place, as convt's
 * tensors do, so neither side pays for copies the other does not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class OnnxRuntimeBenchmark {

    /** A {@link SuiteLayer} id; {@link BenchSuite} passes the selected layers. */
    @Param("dcgan_l2")
    public String layer;

    /** ONNX Runtime's intra-op thread count. */
    @Param("1")
    public int threads;

    private SuiteLayer suiteLayer;
    private ExpectedOutput expected;
    private Arena arena;
    private OnnxRuntimePeer peer;
    private FloatBuffer input;
    private FloatBuffer output;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        suiteLayer = SuiteLayer.byId(layer);
        LayerData data = LayerData.of(suiteLayer);
        expected = ExpectedOutput.forLayer(data);
        peer = OnnxRuntimePeer.open(suiteLayer.spec(), suiteLayer.inputShape(), data.weights(), data.bias(), threads);
        arena = Arena.ofShared();
        MemorySegment in = arena.allocate((long) data.input().length * Float.BYTES, 64);
        MemorySegment.copy(data.input(), 0, in, ValueLayout.JAVA_FLOAT, 0, data.input().length);
        MemorySegment out = arena.allocate(suiteLayer.geometry().outputCount() * Float.BYTES, 64);
        // NaN makes an output element ONNX Runtime never writes fail the check.
        out.elements(ValueLayout.JAVA_FLOAT).forEach(e -> e.set(ValueLayout.JAVA_FLOAT, 0, Float.NaN));
        input = floats(in);
        output = floats(out);
        run();
        checkOutput();
    }

    private static FloatBuffer floats(MemorySegment segment) {
        return segment.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Benchmark
    public void run() throws OrtException {
        peer.run(input, output);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        try {
            checkOutput();
        } finally {
            peer.close();
            arena.close();
        }
    }

    private void checkOutput() {
        float[] actual = new float[output.remaining()];
        output.get(0, actual);
        expected.check("ONNX Runtime, " + threads + " intra-op thread(s)", suiteLayer, actual);
    }
}
