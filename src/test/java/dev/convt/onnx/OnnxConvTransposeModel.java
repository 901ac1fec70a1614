package dev.convt.onnx;

import dev.convt.ConvTransposeSpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

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
         * @param inputRank 2 plus the spec's spatial axes, or 4 for a 1-D spec run on {@code (N, C, 1, W)}
         * @return the attributes; pads are left out when auto_pad or output_shape derive them
         */
        public static Attributes of(ConvTransposeSpec spec, int inputRank) {
            if (inputRank != 2 + spec.spatialRank() && !(inputRank == 4 && spec.isOneDimensional())) {
                throw new IllegalArgumentException("input rank " + inputRank + " does not fit " + spec);
            }
            // A 1-D spec on (N, C, 1, W) runs as 2-D with a height of one row, one tap.
            List<ConvTransposeSpec.AxisRule> axes = new ArrayList<>(spec.axes());
            if (inputRank - 2 > axes.size()) {
                axes.addFirst(new ConvTransposeSpec.AxisRule(1, 1, 1, 0, 0, 0, spec.requestedOutputW() >= 0 ? 1 : -1));
            }
            boolean derivedPads = spec.autoPad() != ConvTransposeSpec.AutoPad.NOTSET || spec.requestedOutputW() >= 0;
            long[] pads = new long[2 * axes.size()];
            for (int a = 0; a < axes.size(); a++) {
                pads[a] = axes.get(a).padBegin();
                pads[a + axes.size()] = axes.get(a).padEnd();
            }
            return new Attributes(
                    each(axes, ConvTransposeSpec.AxisRule::kernel),
                    each(axes, ConvTransposeSpec.AxisRule::stride),
                    derivedPads ? null : pads,
                    each(axes, ConvTransposeSpec.AxisRule::outputPadding),
                    each(axes, ConvTransposeSpec.AxisRule::dilation),
                    (long) spec.groups(),
                    spec.autoPad() == ConvTransposeSpec.AutoPad.NOTSET ? null : spec.autoPad().name(),
                    spec.requestedOutputW() >= 0 ? each(axes, ConvTransposeSpec.AxisRule::requestedOutput) : null);
        }

        private static long[] each(List<ConvTransposeSpec.AxisRule> axes, ToIntFunction<ConvTransposeSpec.AxisRule> f) {
            return axes.stream().mapToLong(f::applyAsInt).toArray();
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
     * @param inputShape {@code (N, Cin, H, W)}, {@code (N, Cin, W)} for a 1-D spec, {@code (N, Cin, D, H, W)} for 3-D
     * @param weights PyTorch/ONNX layout {@link ConvTransposeSpec#weightShape()}, C order
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
