package dev.convt.onnx;

import dev.convt.ConvTransposeSpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Builds the bytes of a one-node ONNX model, {@code Y = ConvTranspose(X, W[, B])}, with the
 * weights and bias as initializers and X of one concrete shape.
 *
 * <p>The protobuf is encoded by hand (a few dozen lines) so that neither the tests nor the
 * benchmarks need a protobuf library: ONNX Runtime's jar does not expose one. Only the fields a
 * single-node graph needs are written; field numbers are those of {@code onnx.proto}.
 */
public final class OnnxConvTransposeModel {

    /** Name of the graph input. */
    public static final String INPUT = "X";
    /** Name of the graph output. */
    public static final String OUTPUT = "Y";
    /** ONNX IR version written into the model (IR 8 goes with opset 17). */
    public static final long IR_VERSION = 8;
    /** Default-domain opset the model imports. */
    public static final long OPSET = 17;

    private static final int FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_INTS = 7;

    private OnnxConvTransposeModel() {}

    /**
     * The node's attributes, one value per spatial axis in ONNX order; a null field leaves the
     * attribute out so that ONNX's default applies.
     *
     * @param kernelShape {@code kernel_shape}
     * @param strides {@code strides}
     * @param pads {@code pads}: all begins, then all ends
     * @param outputPadding {@code output_padding}
     * @param dilations {@code dilations}
     * @param group {@code group}, or null
     * @param autoPad {@code auto_pad} ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"), or null
     * @param outputShape {@code output_shape}: spatial sizes only
     */
    public record Attributes(long[] kernelShape, long[] strides, long[] pads, long[] outputPadding, long[] dilations,
            Long group, String autoPad, long[] outputShape) {

        /**
         * The attributes that make ONNX's ConvTranspose compute what {@code spec} means.
         *
         * @param spec the spec
         * @param inputRank 4, or 3 for a 1-D spec run on {@code (N, C, W)}
         * @return the attributes; pads are left out when auto_pad or output_shape derive them
         */
        public static Attributes of(ConvTransposeSpec spec, int inputRank) {
            if (inputRank != 4 && !(inputRank == 3 && spec.isOneDimensional())) {
                throw new IllegalArgumentException("input rank " + inputRank + " does not fit " + spec);
            }
            boolean oneAxis = inputRank == 3;
            boolean derivedPads = spec.autoPad() != ConvTransposeSpec.AutoPad.NOTSET || spec.requestedOutputW() >= 0;
            long[] pads = derivedPads ? null
                    : oneAxis ? new long[] {spec.padLeft(), spec.padRight()}
                            : new long[] {spec.padTop(), spec.padLeft(), spec.padBottom(), spec.padRight()};
            long[] outputShape = null;
            if (spec.requestedOutputW() >= 0) {
                outputShape = oneAxis ? new long[] {spec.requestedOutputW()}
                        : new long[] {spec.isOneDimensional() ? 1 : spec.requestedOutputH(), spec.requestedOutputW()};
            }
            return new Attributes(
                    axes(oneAxis, spec.kernelH(), spec.kernelW()),
                    axes(oneAxis, spec.strideH(), spec.strideW()),
                    pads,
                    axes(oneAxis, spec.outputPaddingH(), spec.outputPaddingW()),
                    axes(oneAxis, spec.dilationH(), spec.dilationW()),
                    (long) spec.groups(),
                    spec.autoPad() == ConvTransposeSpec.AutoPad.NOTSET ? null : spec.autoPad().name(),
                    outputShape);
        }

        private static long[] axes(boolean oneAxis, int h, int w) {
            return oneAxis ? new long[] {w} : new long[] {h, w};
        }

        @Override
        public String toString() {
            return "Attributes[kernel_shape=" + Arrays.toString(kernelShape) + ", strides=" + Arrays.toString(strides)
                    + ", pads=" + Arrays.toString(pads) + ", output_padding=" + Arrays.toString(outputPadding)
                    + ", dilations=" + Arrays.toString(dilations) + ", group=" + group + ", auto_pad=" + autoPad
                    + ", output_shape=" + Arrays.toString(outputShape) + "]";
        }
    }

    /**
     * A model computing {@code spec} for inputs of {@code inputShape}.
     *
     * @param spec the transposed convolution
     * @param inputShape {@code (N, Cin, H, W)}, or {@code (N, Cin, W)} for a 1-D spec
     * @param weights PyTorch/ONNX layout {@code [Cin, Cout/groups, kH, kW]}, C order
     * @param bias {@code Cout} floats, or null for a model without the B input
     * @return the serialized ModelProto
     */
    public static byte[] build(ConvTransposeSpec spec, long[] inputShape, float[] weights, float[] bias) {
        Objects.requireNonNull(spec, "spec");
        long[] weightShape = spec.weightShape();
        if (inputShape.length == 4 && spec.isOneDimensional()) {
            weightShape = new long[] {weightShape[0], weightShape[1], 1, weightShape[2]};
        }
        return build(Attributes.of(spec, inputShape.length), inputShape, weightShape, weights, bias);
    }

    /**
     * A model with explicitly given attributes, for cases a {@link ConvTransposeSpec} cannot
     * express (or that it rejects).
     *
     * @param attributes the node's attributes
     * @param inputShape the concrete shape of X
     * @param weightShape the shape of W, {@code [Cin, Cout/group, k...]}
     * @param weights W in C order
     * @param bias B, or null for none
     * @return the serialized ModelProto
     */
    public static byte[] build(Attributes attributes, long[] inputShape, long[] weightShape, float[] weights,
            float[] bias) {
        Objects.requireNonNull(attributes, "attributes");
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(weightShape, "weightShape");
        Objects.requireNonNull(weights, "weights");
        long count = Arrays.stream(weightShape).reduce(1, Math::multiplyExact);
        if (count != weights.length) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, shape "
                    + Arrays.toString(weightShape) + " holds " + count);
        }

        Proto node = new Proto()
                .string(1, INPUT)
                .string(1, "W");
        if (bias != null) {
            node.string(1, "B");
        }
        node.string(2, OUTPUT).string(3, "convtranspose").string(4, "ConvTranspose");
        intsAttribute(node, "kernel_shape", attributes.kernelShape());
        intsAttribute(node, "strides", attributes.strides());
        intsAttribute(node, "pads", attributes.pads());
        intsAttribute(node, "output_padding", attributes.outputPadding());
        intsAttribute(node, "dilations", attributes.dilations());
        intsAttribute(node, "output_shape", attributes.outputShape());
        if (attributes.group() != null) {
            node.message(5, new Proto().string(1, "group").int64(3, attributes.group()).int64(20, ATTR_INT));
        }
        if (attributes.autoPad() != null) {
            node.message(5, new Proto().string(1, "auto_pad").string(4, attributes.autoPad()).int64(20, ATTR_STRING));
        }

        Proto graph = new Proto()
                .message(1, node)
                .string(2, "convtranspose")
                .message(5, tensor("W", weightShape, weights));
        if (bias != null) {
            graph.message(5, tensor("B", new long[] {bias.length}, bias));
        }
        graph.message(11, valueInfo(INPUT, inputShape)).message(12, valueInfo(OUTPUT, null));

        return new Proto()
                .int64(1, IR_VERSION)
                .string(2, "convt-tests")
                .message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, OPSET))
                .toByteArray();
    }

    private static void intsAttribute(Proto node, String name, long[] values) {
        if (values == null) {
            return;
        }
        Proto a = new Proto().string(1, name);
        for (long v : values) {
            a.int64(8, v);
        }
        node.message(5, a.int64(20, ATTR_INTS));
    }

    private static Proto tensor(String name, long[] shape, float[] data) {
        Proto t = new Proto();
        for (long d : shape) {
            t.int64(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return t.int64(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A float tensor value; a null shape leaves the shape for ONNX Runtime to infer. */
    private static Proto valueInfo(String name, long[] shape) {
        Proto tensorType = new Proto().int64(1, FLOAT);
        if (shape != null) {
            Proto dims = new Proto();
            for (long d : shape) {
                dims.message(1, new Proto().int64(1, d));
            }
            tensorType.message(2, dims);
        }
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto int64(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            varint(((long) field << 3) | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
