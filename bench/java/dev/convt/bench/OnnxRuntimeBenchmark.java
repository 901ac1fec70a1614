package dev.convt.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.convt.ConvTransposeGeometry;
import dev.convt.bench.BenchResults.Implementation;
import dev.convt.onnx.OnnxConvTransposeModel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * ONNX Runtime running the same layer, with the same weights, as a one-node ConvTranspose model,
 * set up as fast as it goes: input and output tensors wrap off-heap buffers once, before timing,
 * and ONNX Runtime reads and writes them in place on every call (the output is bound as a pinned
 * output); the session has its full graph optimisation and spinning intra-op threads. A 1-D layer
 * is given to it as 2-D with height 1 ({@code (N, C, 1, W)}, the same memory): for a rank-3
 * ConvTranspose ONNX Runtime takes a generic N-d col2im, for rank 4 its faster 2-D one. A 3-D layer
 * runs as it is, on rank-5 {@code (N, C, D, H, W)} tensors.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class OnnxRuntimeBenchmark extends LayerBenchmark {

    private Arena arena;
    private OrtSession session;
    private OnnxTensor input;
    private OnnxTensor output;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;
    private FloatBuffer outputBuffer;

    @Override
    void open(LayerData data) throws OrtException {
        ConvTransposeGeometry g = data.layer().geometry();
        long[] inputShape = atLeastTwoD(g.inputShape());
        long[] outputShape = atLeastTwoD(g.outputShape());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SessionOptions options = sessionOptions(threads)) {
            session = env.createSession(OnnxConvTransposeModel.build(data.layer().spec(), inputShape, data.weights(),
                    data.bias()), options);
        }
        arena = Arena.ofShared();
        MemorySegment in = arena.allocate(g.inputCount() * Float.BYTES, 64);
        MemorySegment.copy(data.input(), 0, in, ValueLayout.JAVA_FLOAT, 0, data.input().length);
        MemorySegment out = arena.allocate(g.outputCount() * Float.BYTES, 64);
        // All bits set: a NaN in every float.
        out.fill((byte) 0xFF);
        outputBuffer = floats(out);
        input = OnnxTensor.createTensor(env, floats(in), inputShape);
        output = OnnxTensor.createTensor(env, outputBuffer, outputShape);
        inputs = Map.of(OnnxConvTransposeModel.INPUT, input);
        outputs = Map.of(OnnxConvTransposeModel.OUTPUT, output);
        PeerInfo.record("onnxruntime.version", env.getVersion());
        PeerInfo.record("onnxruntime." + layer, "ConvTranspose on rank-" + inputShape.length + " tensors"
                + (g.inputRank() == 3 ? ": the 1-D layer as height 1" : ""));
    }

    /**
     * The session options both ONNX Runtime benchmarks use, set up as fast as it goes.
     *
     * @param threads intra-op threads, the caller included
     * @return options the caller closes
     * @throws OrtException if ONNX Runtime refuses one
     */
    static SessionOptions sessionOptions(int threads) throws OrtException {
        SessionOptions options = new SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        // Pool threads spin between calls rather than sleep (ONNX Runtime's default, stated
        // here because the benchmark relies on it): waking a sleeping thread costs each call.
        options.addConfigEntry("session.intra_op.allow_spinning", "1");
        // ORT warns on every run where its own shape inference disagrees with its kernel; noise.
        options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        return options;
    }

    /** A 1-D shape {@code (N, C, W)} as {@code (N, C, 1, W)}; a 2-D or 3-D shape as it is. */
    private static long[] atLeastTwoD(long[] shape) {
        return shape.length > 3 ? shape : new long[] {shape[0], shape[1], 1, shape[2]};
    }

    private static FloatBuffer floats(MemorySegment segment) {
        return segment.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * One call. The result holds only the pinned output, which closing it leaves open.
     *
     * @throws OrtException if the run fails
     */
    @Benchmark
    public void run() throws OrtException {
        session.run(inputs, outputs).close();
    }

    @Override
    void call() throws OrtException {
        run();
    }

    @Override
    float[] output() {
        float[] actual = new float[outputBuffer.remaining()];
        outputBuffer.get(0, actual);
        return actual;
    }

    @Override
    Implementation implementation() {
        return Implementation.ONNX_RUNTIME;
    }

    @Override
    void release() throws OrtException {
        try {
            input.close();
            output.close();
            session.close();
        } finally {
            arena.close();
        }
    }
}
