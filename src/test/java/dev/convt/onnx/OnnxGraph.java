package dev.convt.onnx;

import dev.convt.internal.Shapes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the bytes of a small ONNX model: a graph of nodes in order, float initializers, one float
 * input of a concrete shape and one output whose shape ONNX Runtime infers.
 *
 * <p>The protobuf is encoded by hand so that neither the tests nor the benchmarks need a protobuf
 * library: ONNX Runtime's jar does not expose one. Only the fields such a graph needs are
 * written; field numbers are those of {@code onnx.proto}.
 */
public final class OnnxGraph {

    /** ONNX IR version written into the model (IR 8 goes with opset 17). */
    public static final long IR_VERSION = 8;
    /** Default-domain opset the model imports. */
    public static final long OPSET = 17;

    private static final int FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_INTS = 7;

    private final String name;
    private final List<Proto> nodes = new ArrayList<>();
    private final List<Proto> initializers = new ArrayList<>();

    /** @param name the graph's name, also its producer's */
    public OnnxGraph(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** One node; add attributes, then {@link OnnxGraph#add(Node)} it. */
    public static final class Node {
        private final Proto proto = new Proto();

        /**
         * @param opType e.g. {@code ConvTranspose}
         * @param name the node's name
         * @param inputs input value names, in the operator's order
         * @param output the single output value's name
         */
        public Node(String opType, String name, List<String> inputs, String output) {
            inputs.forEach(i -> proto.string(1, i));
            proto.string(2, output).string(3, name).string(4, opType);
        }

        /** @return this node with an integer-list attribute, or unchanged if {@code values} is null (ONNX's default) */
        public Node ints(String attribute, long[] values) {
            if (values != null) {
                Proto a = new Proto().string(1, attribute);
                for (long v : values) {
                    a.int64(8, v);
                }
                proto.message(5, a.int64(20, ATTR_INTS));
            }
            return this;
        }

        /** @return this node with an integer attribute */
        public Node integer(String attribute, long value) {
            proto.message(5, new Proto().string(1, attribute).int64(3, value).int64(20, ATTR_INT));
            return this;
        }

        /** @return this node with a string attribute */
        public Node string(String attribute, String value) {
            proto.message(5, new Proto().string(1, attribute).string(4, value).int64(20, ATTR_STRING));
            return this;
        }
    }

    /** @return this graph with {@code node} appended (nodes run in the order added) */
    public OnnxGraph add(Node node) {
        nodes.add(node.proto);
        return this;
    }

    /**
     * Adds a constant float tensor.
     *
     * @param tensor its value name
     * @param shape its shape
     * @param data its values in C order
     * @return this graph
     * @throws IllegalArgumentException if {@code data} does not fill {@code shape}
     */
    public OnnxGraph initializer(String tensor, long[] shape, float[] data) {
        long count = Shapes.elementCount(tensor + " shape", shape);
        if (count != data.length) {
            throw new IllegalArgumentException(tensor + " has " + data.length + " floats, shape "
                    + Shapes.format(shape) + " holds " + count);
        }
        Proto t = new Proto();
        for (long d : shape) {
            t.int64(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        initializers.add(t.int64(2, FLOAT).string(8, tensor).bytes(9, raw.array()));
        return this;
    }

    /**
     * @param input the graph input's name
     * @param inputShape its concrete shape
     * @param output the graph output's name (its shape is left to ONNX Runtime)
     * @return the serialized ModelProto
     */
    public byte[] build(String input, long[] inputShape, String output) {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, name);
        initializers.forEach(t -> graph.message(5, t));
        graph.message(11, valueInfo(input, inputShape)).message(12, valueInfo(output, null));
        return new Proto()
                .int64(1, IR_VERSION)
                .string(2, name)
                .message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, OPSET))
                .toByteArray();
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
