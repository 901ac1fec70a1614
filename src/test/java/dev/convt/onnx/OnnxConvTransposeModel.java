package dev.convt.onnx;

import dev.convt.ConvTransposeSpec;
import dev.convt.internal.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

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
        long count = Shapes.elementCount("weightShape", weightShape);
        if (count != weights.length) {
            throw new IllegalArgumentException("weights has " + weights.length + " floats, shape "
                    + Shapes.format(weightShape) + " holds " + count);
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
