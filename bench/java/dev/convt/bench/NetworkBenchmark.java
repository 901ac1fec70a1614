package dev.convt.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.convt.ConvTransposeLayer;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The whole {@link DcganNetwork} (one latent vector to one 64x64 RGB image) per call: convt's
 * five layers with BatchNorm folded and the activations fused, or ONNX Runtime on the same graph
 * with its BatchNormalization and activation nodes (its graph optimiser may fuse them as it
 * likes). Activations between the layers and the output are made before timing; the output is
 * checked against the scalar reference chain before and after timing, and the calling thread's
 * allocation per call measured after it ({@link CallAllocation}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class NetworkBenchmark {

    /** {@code convt} or {@code onnx}. */
    @Param({"convt", "onnx"})
    public String implementation;

    /** Threads per call: convt's forward threads, ONNX Runtime's intra-op threads. */
    @Param("1")
    public int threads;

    private DcganNetwork.Expected expected;
    private Arena arena;
    private Runnable call;
    private Runnable close;
    private FloatBuffer result;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        DcganNetwork network = DcganNetwork.create();
        expected = network.cachedExpected();
        // Shared, because forward(..., threads) reads and writes the tensors from worker threads.
        arena = Arena.ofShared();
        switch (implementation) {
            case "convt" -> convt(network);
            case "onnx" -> onnx(network);
            default -> throw new IllegalArgumentException("implementation must be convt or onnx, got '"
                    + implementation + "'");
        }
        run();
        checkOutput();
    }

    private void convt(DcganNetwork network) {
        List<ConvTransposeLayer> layers = network.convtLayers();
        List<Tensor> activations = new ArrayList<>(List.of(Tensor.of(arena, network.input(), network.inputShape())));
        for (DcganNetwork.Stage stage : network.stages()) {
            activations.add(Tensor.allocate(arena, stage.layer().geometry().outputShape()));
        }
        Tensor output = activations.getLast();
        // NaN makes an output element never written fail the check.
        output.fill(Float.NaN);
        result = output.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        call = () -> {
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).forward(activations.get(i), activations.get(i + 1), threads);
            }
        };
        close = () -> layers.forEach(ConvTransposeLayer::close);
    }

    private void onnx(DcganNetwork network) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (SessionOptions options = OnnxRuntimeBenchmark.sessionOptions(threads)) {
            session = env.createSession(network.onnxModel(), options);
        }
        float[] latent = network.input();
        MemorySegment in = arena.allocate((long) latent.length * Float.BYTES, 64);
        MemorySegment.copy(latent, 0, in, ValueLayout.JAVA_FLOAT, 0, latent.length);
        long outputCount = 1;
        for (long d : network.outputShape()) {
            outputCount *= d;
        }
        MemorySegment out = arena.allocate(outputCount * Float.BYTES, 64);
        // NaN makes an output element ONNX Runtime never writes fail the check.
        out.fill((byte) 0xFF);
        result = out.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        OnnxTensor input = OnnxTensor.createTensor(env, in.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer(),
                network.inputShape());
        OnnxTensor output = OnnxTensor.createTensor(env, result, network.outputShape());
        Map<String, OnnxTensor> inputs = Map.of("X", input);
        Map<String, OnnxTensor> outputs = Map.of("Y", output);
        call = () -> {
            try {
                // The result holds only the pinned output, which closing it leaves open.
                session.run(inputs, outputs).close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
        close = () -> {
            input.close();
            output.close();
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** One image from one latent vector. */
    @Benchmark
    public void run() {
        call.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            CallAllocation.record(BenchResults.NetworkRow.implementation(implementation), "network", threads,
                    this::run);
            checkOutput();
        } finally {
            close.run();
            arena.close();
        }
    }

    private void checkOutput() {
        float[] actual = new float[result.remaining()];
        result.get(0, actual);
        expected.check(implementation + ", " + threads + " thread(s)", actual);
    }
}
