package dev.convt.onnx;

import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Builds the bytes of a one-node ONNX model, {@code Y = ConvTranspose(X, W[, B])}, with the
 * weights and bias as initializers and X of one concrete shape.
 *
 * <p>The protobuf is encoded by {@link OnnxGraph}, without a protobuf library.
 */
public final class OnnxConvTransposeModel {

    /** Name of the graph input. */
    public static final String INPUT = "X";
    /** Name of the graph output. */
    public static final String OUTPUT = "Y";

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

        OnnxGraph.Node node = new OnnxGraph.Node("ConvTranspose", "convtranspose",
                bias == null ? List.of(INPUT, "W") : List.of(INPUT, "W", "B"), OUTPUT)
                .ints("kernel_shape", attributes.kernelShape())
                .ints("strides", attributes.strides())
                .ints("pads", attributes.pads())
                .ints("output_padding", attributes.outputPadding())
                .ints("dilations", attributes.dilations())
                .ints("output_shape", attributes.outputShape());
        if (attributes.group() != null) {
            node.integer("group", attributes.group());
        }
        if (attributes.autoPad() != null) {
            node.string("auto_pad", attributes.autoPad());
        }
        OnnxGraph graph = new OnnxGraph("convtranspose").add(node).initializer("W", weightShape, weights);
        if (bias != null) {
            graph.initializer("B", new long[] {bias.length}, bias);
        }
        return graph.build(INPUT, inputShape, OUTPUT);
    }
}
