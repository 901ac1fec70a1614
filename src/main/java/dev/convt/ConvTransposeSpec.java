package dev.convt;

import dev.convt.internal.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * An immutable description of one transposed convolution over 1, 2 or 3 spatial axes (PyTorch
 * {@code ConvTranspose1d/2d/3d}, ONNX {@code ConvTranspose}), independent of the input's spatial
 * size: channels, groups, bias, and per spatial axis one {@link AxisRule}, as ONNX describes the
 * operator.
 *
 * <p>Build one with {@link #builder(int, int, int, int)} (2-D), {@link #builder1d(int, int, int)}
 * (1-D, which is the 2-D case with height 1) or {@link #builder3d(int, int, int, int, int)} (3-D).
 * Defaults are PyTorch's: stride 1, padding 0,
 * output padding 0, dilation 1, one group, bias on.
 *
 * <p>PyTorch's symmetric {@code padding} and ONNX's asymmetric {@code pads}, {@code auto_pad} and
 * {@code output_shape} all resolve, for a given input, into one {@link ConvTransposeGeometry}: per
 * axis an output size and the full-output coordinate of the first output element (a crop offset).
 * The output size per axis, for explicit padding, is
 * {@code (in-1)*stride - padBegin - padEnd + dilation*(kernel-1) + outputPadding + 1}.
 *
 * <p>Every rule is checked when the spec is built; a violation throws
 * {@link IllegalArgumentException} with a message naming the parameter and its value.
 */
public final class ConvTransposeSpec {

    /** ONNX {@code auto_pad}: how padding is derived when it is not given explicitly. */
    public enum AutoPad {
        /** Explicit padding ({@code pads} or PyTorch {@code padding}). */
        NOTSET,
        /** Output size {@code in*stride}; an odd total padding puts the extra element at the end. */
        SAME_UPPER,
        /** Output size {@code in*stride}; an odd total padding puts the extra element at the start. */
        SAME_LOWER,
        /** No padding. */
        VALID
    }

    /** Axis letters in tensor order: a spec of rank r uses the last r. */
    private static final String[] LETTERS = {"D", "H", "W"};
    private static final String[] NAMES = {"depth", "height", "width"};
    /** The height of a 1-D spec: one row, one tap. */
    private static final AxisRule ONE_ROW = new AxisRule(1, 1, 1, 0, 0, 0, -1);

    private final int inChannels;
    private final int outChannels;
    private final int groups;
    private final boolean bias;
    /** The spatial axes in tensor order: (W), (H, W) or (D, H, W). */
    private final List<AxisRule> axes;
    private final AutoPad autoPad;

    private ConvTransposeSpec(Builder b) {
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.groups = b.groups;
        this.bias = b.bias;
        this.autoPad = b.autoPad;
        AxisRule[] rules = new AxisRule[b.kernel.length];
        for (int a = 0; a < rules.length; a++) {
            rules[a] = new AxisRule(b.kernel[a], b.stride[a], b.dilation[a], b.padBegin[a], b.padEnd[a],
                    b.outputPadding[a], b.requestedOut[a]);
        }
        this.axes = List.of(rules);
    }

    /**
     * Starts a 2-D spec.
     *
     * @param inChannels input channels (Cin), at least 1
     * @param outChannels output channels (Cout), at least 1
     * @param kernelH kernel height, at least 1
     * @param kernelW kernel width, at least 1
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, kernelH, kernelW);
    }

    /**
     * Starts a 1-D spec (PyTorch {@code ConvTranspose1d}): the 2-D case with height 1, input
     * {@code (N, C, W)}. Setters then take one value, for the width axis.
     *
     * @param inChannels input channels (Cin), at least 1
     * @param outChannels output channels (Cout), at least 1
     * @param kernel kernel width, at least 1
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder1d(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /**
     * Starts a 3-D spec (PyTorch {@code ConvTranspose3d}, ONNX {@code ConvTranspose} on 5-D
     * tensors): input {@code (N, C, D, H, W)}, weights {@code [Cin, Cout/groups, kD, kH, kW]}.
     * Per-axis setters take one value (every axis) or (depth, height, width).
     *
     * @param inChannels input channels (Cin), at least 1
     * @param outChannels output channels (Cout), at least 1
     * @param kernelD kernel depth, at least 1
     * @param kernelH kernel height, at least 1
     * @param kernelW kernel width, at least 1
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder3d(int inChannels, int outChannels, int kernelD, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, kernelD, kernelH, kernelW);
    }

    /** {@return input channels (Cin)} */
    public int inChannels() {
        return inChannels;
    }

    /** {@return output channels (Cout)} */
    public int outChannels() {
        return outChannels;
    }

    /** {@return number of groups; both channel counts are multiples of it} */
    public int groups() {
        return groups;
    }

    /** {@return whether the layer adds a per-output-channel bias} */
    public boolean hasBias() {
        return bias;
    }

    /** {@return whether this is a 1-D spec (height 1, tensors of rank 3 accepted)} */
    public boolean isOneDimensional() {
        return axes.size() == 1;
    }

    /** {@return the number of spatial axes: 1, 2 or 3} */
    public int spatialRank() {
        return axes.size();
    }

    /**
     * The spatial axes' parameters in tensor order: {@code (W)} for 1-D, {@code (H, W)} for 2-D,
     * {@code (D, H, W)} for 3-D.
     *
     * @return an unmodifiable list
     */
    public List<AxisRule> axes() {
        return axes;
    }

    /** {@return the ONNX {@code auto_pad} mode ({@link AutoPad#NOTSET} for explicit padding)} */
    public AutoPad autoPad() {
        return autoPad;
    }

    /** The height axis: the second-to-last spatial axis, or one row for a 1-D spec. */
    private AxisRule height() {
        return axes.size() == 1 ? ONE_ROW : axes.get(axes.size() - 2);
    }

    private AxisRule width() {
        return axes.get(axes.size() - 1);
    }

    /** {@return kernel height} */
    public int kernelH() {
        return height().kernel;
    }

    /** {@return kernel width} */
    public int kernelW() {
        return width().kernel;
    }

    /** {@return stride along the height} */
    public int strideH() {
        return height().stride;
    }

    /** {@return stride along the width} */
    public int strideW() {
        return width().stride;
    }

    /** {@return dilation along the height} */
    public int dilationH() {
        return height().dilation;
    }

    /** {@return dilation along the width} */
    public int dilationW() {
        return width().dilation;
    }

    /** {@return explicit padding at the top (0 when derived by auto_pad or output_shape)} */
    public int padTop() {
        return height().padBegin;
    }

    /** {@return explicit padding at the bottom} */
    public int padBottom() {
        return height().padEnd;
    }

    /** {@return explicit padding at the left} */
    public int padLeft() {
        return width().padBegin;
    }

    /** {@return explicit padding at the right} */
    public int padRight() {
        return width().padEnd;
    }

    /** {@return extra output rows at the bottom} */
    public int outputPaddingH() {
        return height().outputPadding;
    }

    /** {@return extra output columns at the right} */
    public int outputPaddingW() {
        return width().outputPadding;
    }

    /** {@return requested output height (ONNX {@code output_shape}), or -1 when not requested} */
    public int requestedOutputH() {
        return height().requestedOutput;
    }

    /** {@return requested output width (ONNX {@code output_shape}), or -1 when not requested} */
    public int requestedOutputW() {
        return width().requestedOutput;
    }

    /**
     * The weight shape in PyTorch layout: {@code [Cin, Cout/groups, kD, kH, kW]},
     * {@code [Cin, Cout/groups, kH, kW]} or {@code [Cin, Cout/groups, kW]}, one kernel size per
     * spatial axis.
     *
     * @return a new array
     */
    public long[] weightShape() {
        long[] shape = new long[2 + axes.size()];
        shape[0] = inChannels;
        shape[1] = outChannels / groups;
        for (int a = 0; a < axes.size(); a++) {
            shape[2 + a] = axes.get(a).kernel;
        }
        return shape;
    }

    /**
     * {@return number of weight elements, {@code Cin * Cout/groups} times every kernel size (exact:
     * larger specs are rejected)}
     */
    public long weightCount() {
        return Shapes.elementCount(weightShape());
    }

    /** {@return the kernel taps: the product of the kernel sizes (exact: larger specs are rejected)} */
    public long kernelTaps() {
        long taps = 1;
        for (AxisRule r : axes) {
            taps = Math.multiplyExact(taps, r.kernel);
        }
        return taps;
    }

    /**
     * Resolves this spec for one input shape.
     *
     * @param inputShape {@code (N, C, H, W)}, {@code (N, C, W)} for a 1-D spec (which also takes
     *     {@code (N, C, 1, W)}), {@code (N, C, D, H, W)} for a 3-D spec
     * @return the geometry: output shape and per-axis crop offsets
     * @throws IllegalArgumentException if the shape does not fit the spec or the output would be
     *     empty or too large
     */
    public ConvTransposeGeometry geometry(long... inputShape) {
        Objects.requireNonNull(inputShape, "inputShape");
        int rank = inputShape.length;
        boolean oneDimensional = isOneDimensional();
        if (rank != 2 + axes.size() && !(oneDimensional && rank == 4)) {
            throw new IllegalArgumentException("input rank " + rank + " (shape " + Shapes.format(inputShape)
                    + ") does not fit a " + switch (axes.size()) {
                        case 1 -> "1-D spec: expected (N, C, W) or (N, C, 1, W)";
                        case 2 -> "2-D spec: expected (N, C, H, W)";
                        default -> "3-D spec: expected (N, C, D, H, W)";
                    });
        }
        requireDim("input batch N", inputShape[0], inputShape);
        int spatial = rank - 2;
        for (int a = 0; a < spatial; a++) {
            requireDim("input " + NAMES[3 - spatial + a], inputShape[2 + a], inputShape);
        }
        if (inputShape[1] != inChannels) {
            throw new IllegalArgumentException("input channels " + inputShape[1] + " (shape "
                    + Shapes.format(inputShape) + ") != spec inChannels " + inChannels);
        }
        if (oneDimensional && rank == 4 && inputShape[2] != 1) {
            throw new IllegalArgumentException("input height " + inputShape[2] + " must be 1 for a 1-D spec");
        }
        ConvTransposeGeometry.Axis[] resolved = new ConvTransposeGeometry.Axis[spatial];
        for (int a = 0; a < spatial; a++) {
            AxisRule rule = spatial > axes.size() ? (a == 0 ? ONE_ROW : axes.get(0)) : axes.get(a);
            resolved[a] = rule.resolve((int) inputShape[2 + a], autoPad, NAMES[3 - spatial + a]);
        }
        ConvTransposeGeometry g = new ConvTransposeGeometry(this, (int) inputShape[0], List.of(resolved));
        Shapes.floatBytes("input shape", g.inputShape());
        Shapes.floatBytes("output shape", g.outputShape());
        return g;
    }

    private static void requireDim(String name, long value, long[] shape) {
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " " + value + " (shape " + Shapes.format(shape)
                    + ") must be in [1, " + Integer.MAX_VALUE + "]");
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ConvTransposeSpec[");
        s.append(inChannels).append("->").append(outChannels).append(", ");
        int rank = axes.size();
        if (rank != 2) {
            s.append(rank).append("-D, ");
        }
        s.append("k=").append(join(AxisRule::kernel, "x")).append(", s=").append(join(AxisRule::stride, "x"))
                .append(rank == 1 ? ", pads=" : rank == 2 ? ", pads(t,l,b,r)=" : ", pads(begins,ends)=")
                .append(join(AxisRule::padBegin, ",")).append(',').append(join(AxisRule::padEnd, ","))
                .append(", op=").append(join(AxisRule::outputPadding, "x"))
                .append(", d=").append(join(AxisRule::dilation, "x"));
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (autoPad != AutoPad.NOTSET) {
            s.append(", auto_pad=").append(autoPad);
        }
        if (width().requestedOutput >= 0) {
            s.append(", output_shape=").append(join(AxisRule::requestedOutput, "x"));
        }
        return s.append(bias ? ", bias" : ", no bias").append(']').toString();
    }

    private String join(ToIntFunction<AxisRule> field, String separator) {
        StringJoiner j = new StringJoiner(separator);
        for (AxisRule r : axes) {
            j.add(String.valueOf(field.applyAsInt(r)));
        }
        return j.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTransposeSpec s && inChannels == s.inChannels && outChannels == s.outChannels
                && groups == s.groups && bias == s.bias && autoPad == s.autoPad && axes.equals(s.axes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inChannels, outChannels, groups, bias, autoPad, axes);
    }

    /**
     * One spatial axis's parameters as given; {@link ConvTransposeSpec#geometry} resolves them,
     * for an input size, into a {@link ConvTransposeGeometry.Axis}.
     *
     * @param kernel kernel size
     * @param stride stride
     * @param dilation spacing of the kernel taps
     * @param padBegin explicit padding at the start (0 when derived by auto_pad or output_shape)
     * @param padEnd explicit padding at the end
     * @param outputPadding extra output elements at the end
     * @param requestedOutput ONNX {@code output_shape} along this axis, or -1 when not requested
     */
    public record AxisRule(int kernel, int stride, int dilation, int padBegin, int padEnd, int outputPadding,
            int requestedOutput) {

        ConvTransposeGeometry.Axis resolve(int in, AutoPad autoPad, String axisName) {
            long extent = (long) dilation * (kernel - 1) + 1;
            long natural = (long) (in - 1) * stride + extent + outputPadding;
            long out;
            long begin;
            if (requestedOutput >= 0 || autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
                // ONNX operator spec: total padding from the wanted size, split head/tail by auto_pad.
                // The total may be negative (a wanted size above the natural one): the output then
                // extends past the full result on both sides, and those elements hold the bias only.
                out = requestedOutput >= 0 ? requestedOutput : (long) in * stride;
                long total = natural - out;
                long half = Math.floorDiv(total, 2);
                begin = autoPad == AutoPad.SAME_UPPER ? half : total - half;
            } else {
                out = natural - padBegin - padEnd;
                begin = padBegin;
            }
            if (out < 1) {
                throw new IllegalArgumentException("output " + axisName + " " + out + " < 1 for input " + axisName + " " + in
                        + " (kernel " + kernel + ", stride " + stride + ", dilation " + dilation + ", pads " + padBegin
                        + "," + padEnd + ", output_padding " + outputPadding + ")");
            }
            if (out > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("output " + axisName + " " + out + " for input " + axisName + " " + in
                        + " exceeds " + Integer.MAX_VALUE);
            }
            if (Math.abs(begin) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the output " + axisName + " starts at full-result coordinate "
                        + begin + " (padding at the start), beyond +-" + Integer.MAX_VALUE);
            }
            return new ConvTransposeGeometry.Axis(in, (int) out, kernel, stride, dilation, (int) begin);
        }
    }

    /**
     * Builds a {@link ConvTransposeSpec}. Per-axis setters take one value (every axis) or one per
     * axis in tensor order: (height, width) for 2-D, (depth, height, width) for 3-D; a 1-D spec
     * takes one value.
     */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        /** Per axis, in tensor order; the length is the spatial rank. */
        private final int[] kernel;
        private final int[] stride;
        private final int[] dilation;
        private final int[] padBegin;
        private final int[] padEnd;
        private final int[] outputPadding;
        private final int[] requestedOut;
        private boolean explicitPads;
        private boolean outputShapeGiven;
        private int groups = 1;
        private boolean bias = true;
        private AutoPad autoPad = AutoPad.NOTSET;

        private Builder(int inChannels, int outChannels, int... kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel.clone();
            int rank = kernel.length;
            this.stride = filled(rank, 1);
            this.dilation = filled(rank, 1);
            this.padBegin = new int[rank];
            this.padEnd = new int[rank];
            this.outputPadding = new int[rank];
            this.requestedOut = filled(rank, -1);
        }

        private static int[] filled(int length, int value) {
            int[] a = new int[length];
            Arrays.fill(a, value);
            return a;
        }

        private int rank() {
            return kernel.length;
        }

        /** The axes' letters for messages: none for 1-D, whose only axis needs no name. */
        private String suffix(int axis, String part) {
            return rank() == 1 ? "" : " (" + LETTERS[3 - rank() + axis] + part + ")";
        }

        private String axisNames() {
            return String.join(", ", Arrays.copyOfRange(NAMES, 3 - rank(), 3));
        }

        private void set(int[] target, String name, int... values) {
            if (values.length == 1) {
                Arrays.fill(target, values[0]);
            } else if (values.length == rank()) {
                System.arraycopy(values, 0, target, 0, values.length);
            } else if (rank() == 1) {
                throw new IllegalArgumentException(name + " takes one value for a 1-D spec, got "
                        + Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(",")));
            } else {
                throw new IllegalArgumentException(name + " takes one value or (" + axisNames() + "), got "
                        + values.length + " values");
            }
        }

        /**
         * Sets the stride (default 1).
         *
         * @param s stride, one value or one per axis; at least 1
         * @return this builder
         */
        public Builder stride(int... s) {
            set(stride, "stride", s);
            return this;
        }

        /**
         * Sets the dilation: the spacing of kernel taps (default 1).
         *
         * @param d dilation, one value or one per axis; at least 1
         * @return this builder
         */
        public Builder dilation(int... d) {
            set(dilation, "dilation", d);
            return this;
        }

        /**
         * PyTorch's symmetric padding: {@code dilation*(kernel-1)-padding} is the padding of the
         * equivalent stride-1 convolution; the output loses {@code padding} on each side.
         *
         * @param p padding, one value or one per axis; at least 0
         * @return this builder
         */
        public Builder padding(int... p) {
            set(padBegin, "padding", p);
            set(padEnd, "padding", p);
            explicitPads = true;
            return this;
        }

        /**
         * ONNX's asymmetric {@code pads} in ONNX order: all begins, then all ends, i.e.
         * {@code (top, left, bottom, right)} for 2-D, {@code (left, right)} for 1-D and
         * {@code (front, top, left, back, bottom, right)} for 3-D.
         *
         * @param pads the pads; each at least 0
         * @return this builder
         */
        public Builder pads(int... pads) {
            int axes = rank();
            if (pads.length != 2 * axes) {
                throw new IllegalArgumentException("pads takes " + 2 * axes + " values (begins, then ends) for a "
                        + axes + "-D spec, got " + pads.length);
            }
            System.arraycopy(pads, 0, padBegin, 0, axes);
            System.arraycopy(pads, axes, padEnd, 0, axes);
            explicitPads = true;
            return this;
        }

        /**
         * Sets the output padding (default 0).
         *
         * @param op extra output elements at the end of each axis, one value or one per axis; at
         *     least 0 and smaller than the stride or the dilation of its axis
         * @return this builder
         */
        public Builder outputPadding(int... op) {
            set(outputPadding, "output_padding", op);
            return this;
        }

        /**
         * Sets the number of groups (default 1; {@code groups = Cin = Cout} is depthwise).
         *
         * @param g groups; divides both channel counts
         * @return this builder
         */
        public Builder groups(int g) {
            this.groups = g;
            return this;
        }

        /**
         * Sets whether the layer has a bias (default true).
         *
         * @param on whether the layer has a bias
         * @return this builder
         */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /**
         * Sets ONNX {@code auto_pad} (default {@link AutoPad#NOTSET}).
         *
         * @param mode ONNX {@code auto_pad}; not combinable with explicit padding
         * @return this builder
         */
        public Builder autoPad(AutoPad mode) {
            this.autoPad = Objects.requireNonNull(mode, "autoPad");
            return this;
        }

        /**
         * ONNX {@code output_shape}: the wanted spatial output size. Padding is then derived from it
         * as in the ONNX operator spec (split by {@code auto_pad}); not combinable with explicit
         * padding.
         *
         * @param size one value per spatial axis, in tensor order; each at least 1
         * @return this builder
         */
        public Builder outputShape(int... size) {
            if (size.length != rank()) {
                throw new IllegalArgumentException("output_shape takes " + (rank() == 1 ? "1 value"
                        : rank() + " values (" + axisNames() + ")") + " for a " + rank() + "-D spec, got " + size.length);
            }
            set(requestedOut, "output_shape", size);
            outputShapeGiven = true;
            return this;
        }

        /**
         * Validates every rule and builds the spec.
         *
         * @return the spec
         * @throws IllegalArgumentException naming the offending parameter and its value
         */
        public ConvTransposeSpec build() {
            positive("inChannels", inChannels);
            positive("outChannels", outChannels);
            positive("groups", groups);
            if (inChannels % groups != 0) {
                throw new IllegalArgumentException("groups " + groups + " does not divide inChannels " + inChannels);
            }
            if (outChannels % groups != 0) {
                throw new IllegalArgumentException("groups " + groups + " does not divide outChannels " + outChannels);
            }
            if (explicitPads && autoPad != AutoPad.NOTSET) {
                throw new IllegalArgumentException("auto_pad " + autoPad + " cannot be combined with explicit pads/padding");
            }
            if (explicitPads && outputShapeGiven) {
                throw new IllegalArgumentException("output_shape " + joined(requestedOut)
                        + " cannot be combined with explicit pads/padding " + joined(padBegin) + "," + joined(padEnd)
                        + ": padding is derived from output_shape");
            }
            for (int a = 0; a < rank(); a++) {
                String suffix = suffix(a, "");
                positive("kernel" + suffix, kernel[a]);
                positive("stride" + suffix, stride[a]);
                positive("dilation" + suffix, dilation[a]);
                nonNegative("padding" + suffix(a, " begin"), padBegin[a]);
                nonNegative("padding" + suffix(a, " end"), padEnd[a]);
                nonNegative("output_padding" + suffix, outputPadding[a]);
                if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                    throw new IllegalArgumentException("output_padding" + suffix + " " + outputPadding[a]
                            + " must be smaller than stride " + stride[a] + " or dilation " + dilation[a]);
                }
                if (outputShapeGiven) {
                    positive("output_shape" + suffix, requestedOut[a]);
                }
            }
            long[] shape = new long[2 + rank()];
            shape[0] = inChannels;
            shape[1] = outChannels / groups;
            for (int a = 0; a < rank(); a++) {
                shape[2 + a] = kernel[a];
            }
            Shapes.floatBytes("weight shape (inChannels, outChannels/groups, kernel...)", shape);
            return new ConvTransposeSpec(this);
        }

        private static String joined(int[] values) {
            return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " " + value + " must be at least 1");
            }
        }

        private static void nonNegative(String name, int value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " " + value + " must not be negative");
            }
        }
    }
}
