package dev.convt.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.convt.ConvTransposeSpec;
import dev.convt.internal.Shapes;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX Runtime session for one model built by {@link OnnxConvTransposeModel}, fixed to one
 * input shape: the independent implementation convt is checked and benchmarked against.
 *
 * <p>Runs may be concurrent: the peer keeps no per-run state and ONNX Runtime sessions allow
 * concurrent runs.
 */
public final class OnnxRuntimePeer implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final long[] inputShape;
    private final long[] outputShape;

    private OnnxRuntimePeer(byte[] model, long[] inputShape, int intraOpThreads) throws OrtException {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads " + intraOpThreads + " must be at least 1");
        }
        this.env = OrtEnvironment.getEnvironment();
        this.inputShape = inputShape.clone();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // ORT warns on every run where its own shape inference disagrees with its kernel
            // (output_shape, auto_pad); the peer takes the kernel's shape, so the warning is noise.
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            this.session = env.createSession(model, options);
        }
        this.outputShape = runForShape();
    }

    /**
     * Opens a session on a model's bytes.
     *
     * @param model a serialized ModelProto with input {@link OnnxConvTransposeModel#INPUT} and
     *     output {@link OnnxConvTransposeModel#OUTPUT}
     * @param inputShape the concrete shape of the input
     * @param intraOpThreads ONNX Runtime's intra-op thread count, at least 1 (inter-op is 1)
     * @return the peer; close it
     * @throws OrtException if ONNX Runtime rejects the model
     */
    public static OnnxRuntimePeer open(byte[] model, long[] inputShape, int intraOpThreads) throws OrtException {
        return new OnnxRuntimePeer(Objects.requireNonNull(model, "model"), inputShape, intraOpThreads);
    }

    /**
     * Builds the model for {@code spec} and opens a session on it.
     *
     * @param spec the transposed convolution
     * @param inputShape {@code (N, Cin, H, W)} or, for a 1-D spec, {@code (N, Cin, W)}
     * @param weights {@code [Cin, Cout/groups, kH, kW]}, C order
     * @param bias {@code Cout} floats, or null
     * @param intraOpThreads ONNX Runtime's intra-op thread count, at least 1
     * @return the peer; close it
     * @throws OrtException if ONNX Runtime rejects the model
     */
    public static OnnxRuntimePeer open(ConvTransposeSpec spec, long[] inputShape, float[] weights, float[] bias,
            int intraOpThreads) throws OrtException {
        return open(OnnxConvTransposeModel.build(spec, inputShape, weights, bias), inputShape, intraOpThreads);
    }

    /** @return the input shape the session was opened for */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** @return the output shape ONNX Runtime produces for that input */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /**
     * Runs the model once.
     *
     * @param input the input in C order, exactly as many floats as {@link #inputShape()} holds
     * @return the output in C order, of {@link #outputShape()}
     * @throws OrtException if the run fails
     */
    public float[] run(float[] input) throws OrtException {
        Objects.requireNonNull(input, "input");
        return run(FloatBuffer.wrap(input), inputShape);
    }

    /**
     * Runs the model once, reading and writing caller-owned buffers. With direct buffers (for
     * example a {@code MemorySegment.asByteBuffer()} in native order viewed as floats) ONNX
     * Runtime reads the input and writes the output in place, without copies: the form
     * benchmarks should use.
     *
     * @param input the input, {@code remaining()} equal to the input element count
     * @param output receives the output, {@code remaining()} equal to the output element count
     * @throws OrtException if the run fails
     */
    public void run(FloatBuffer input, FloatBuffer output) throws OrtException {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        long outCount = Shapes.elementCount(outputShape);
        if (output.remaining() != outCount) {
            throw new IllegalArgumentException("output buffer has " + output.remaining() + " floats, expected "
                    + outCount + " for shape " + Shapes.format(outputShape));
        }
        checkInput(input);
        if (input.isDirect() && output.isDirect()) {
            try (OnnxTensor x = OnnxTensor.createTensor(env, input, inputShape);
                    OnnxTensor y = OnnxTensor.createTensor(env, output, outputShape)) {
                session.run(Map.of(OnnxConvTransposeModel.INPUT, x), Map.of(OnnxConvTransposeModel.OUTPUT, y)).close();
                return;
            }
        }
        output.duplicate().put(run(input, inputShape));
    }

    private float[] run(FloatBuffer input, long[] shape) throws OrtException {
        checkInput(input);
        try (OnnxTensor x = OnnxTensor.createTensor(env, input, shape);
                OrtSession.Result result = session.run(Map.of(OnnxConvTransposeModel.INPUT, x))) {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[y.remaining()];
            y.get(out);
            return out;
        }
    }

    private void checkInput(FloatBuffer input) {
        long inCount = Shapes.elementCount(inputShape);
        if (input.remaining() != inCount) {
            throw new IllegalArgumentException("input has " + input.remaining() + " floats, expected " + inCount
                    + " for shape " + Shapes.format(inputShape));
        }
    }

    /**
     * The output shape, from one run on zeros: the shape ONNX Runtime's graph-level inference
     * publishes can disagree with what its kernel produces (with output_shape or auto_pad it has
     * been seen to have the wrong rank or size), and only the kernel's matters.
     */
    private long[] runForShape() throws OrtException {
        FloatBuffer zeros = FloatBuffer.allocate((int) Shapes.elementCount(inputShape));
        try (OnnxTensor x = OnnxTensor.createTensor(env, zeros, inputShape);
                OrtSession.Result result = session.run(Map.of(OnnxConvTransposeModel.INPUT, x))) {
            return ((TensorInfo) result.get(0).getInfo()).getShape();
        }
    }

    /**
     * Closes the session.
     *
     * @throws OrtException if ONNX Runtime fails to release it
     */
    @Override
    public void close() throws OrtException {
        session.close();
    }
}
