package dev.convt;

import java.util.Objects;

/**
 * An immutable description of one 2-D transposed convolution (PyTorch {@code ConvTranspose2d},
 * ONNX {@code ConvTranspose}), independent of the input's spatial size.
 *
 * <p>Build one with {@link #builder(int, int, int, int)} (2-D) or {@link #builder1d(int, int, int)}
 * (1-D, which is the 2-D case with height 1). Defaults are PyTorch's: stride 1, padding 0,
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

    private final int inChannels;
    private final int outChannels;
    private final int groups;
    private final boolean bias;
    private final boolean oneDimensional;
    private final AxisRule height;
    private final AxisRule width;
    private final AutoPad autoPad;

    private ConvTransposeSpec(Builder b) {
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.groups = b.groups;
        this.bias = b.bias;
        this.oneDimensional = b.oneDimensional;
        this.autoPad = b.autoPad;
        this.height = b.axisRule(0, "H");
        this.width = b.axisRule(1, "W");
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
        return new Builder(inChannels, outChannels, kernelH, kernelW, false);
    }

    /**
     * Starts a 1-D spec (PyTorch {@code ConvTranspose1d}): the 2-D case with height 1, input
     * {@code (N, C, W)}. Single-value setters then set the width axis only.
     *
     * @param inChannels input channels (Cin), at least 1
     * @param outChannels output channels (Cout), at least 1
     * @param kernel kernel width, at least 1
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder1d(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, 1, kernel, true);
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
        return oneDimensional;
    }

    /** {@return the ONNX {@code auto_pad} mode ({@link AutoPad#NOTSET} for explicit padding)} */
    public AutoPad autoPad() {
        return autoPad;
    }

    /** {@return kernel height} */
    public int kernelH() {
        return height.kernel;
    }

    /** {@return kernel width} */
    public int kernelW() {
        return width.kernel;
    }

    /** {@return stride along the height} */
    public int strideH() {
        return height.stride;
    }

    /** {@return stride along the width} */
    public int strideW() {
        return width.stride;
    }

    /** {@return dilation along the height} */
    public int dilationH() {
        return height.dilation;
    }

    /** {@return dilation along the width} */
    public int dilationW() {
        return width.dilation;
    }

    /** {@return explicit padding at the top (0 when derived by auto_pad or output_shape)} */
    public int padTop() {
        return height.padBegin;
    }

    /** {@return explicit padding at the bottom} */
    public int padBottom() {
        return height.padEnd;
    }

    /** {@return explicit padding at the left} */
    public int padLeft() {
        return width.padBegin;
    }

    /** {@return explicit padding at the right} */
    public int padRight() {
        return width.padEnd;
    }

    /** {@return extra output rows at the bottom} */
    public int outputPaddingH() {
        return height.outputPadding;
    }

    /** {@return extra output columns at the right} */
    public int outputPaddingW() {
        return width.outputPadding;
    }

    /** {@return requested output height (ONNX {@code output_shape}), or -1 when not requested} */
    public int requestedOutputH() {
        return height.requestedOut;
    }

    /** {@return requested output width (ONNX {@code output_shape}), or -1 when not requested} */
    public int requestedOutputW() {
        return width.requestedOut;
    }

    /**
     * The weight shape in PyTorch layout: {@code [Cin, Cout/groups, kH, kW]}, or
     * {@code [Cin, Cout/groups, kW]} for a 1-D spec.
     *
     * @return a new array
     */
    public long[] weightShape() {
        long perGroup = outChannels / groups;
        return oneDimensional
                ? new long[] {inChannels, perGroup, width.kernel}
                : new long[] {inChannels, perGroup, height.kernel, width.kernel};
    }

    /** {@return number of weight elements, {@code Cin * Cout/groups * kH * kW} (exact: larger specs are rejected)} */
    public long weightCount() {
        return weightCount(inChannels, outChannels / groups, height.kernel, width.kernel);
    }

    private static long weightCount(long cin, long perGroup, long kh, long kw) {
        return Math.multiplyExact(Math.multiplyExact(cin, perGroup), Math.multiplyExact(kh, kw));
    }

    /**
     * Resolves this spec for one input shape.
     *
     * @param inputShape {@code (N, C, H, W)}, or {@code (N, C, W)} for a 1-D spec
     * @return the geometry: output shape and per-axis crop offsets
     * @throws IllegalArgumentException if the shape does not fit the spec or the output would be
     *     empty or too large
     */
    public ConvTransposeGeometry geometry(long... inputShape) {
        Objects.requireNonNull(inputShape, "inputShape");
        int rank = inputShape.length;
        if (rank != 4 && !(oneDimensional && rank == 3)) {
            throw new IllegalArgumentException("input rank " + rank + " (shape " + ConvTransposeGeometry.format(inputShape)
                    + ") does not fit a " + (oneDimensional ? "1-D spec: expected (N, C, W) or (N, C, 1, W)"
                            : "2-D spec: expected (N, C, H, W)"));
        }
        long n = inputShape[0];
        long c = inputShape[1];
        long h = rank == 4 ? inputShape[2] : 1;
        long w = inputShape[rank - 1];
        requireDim("input batch N", n, inputShape);
        requireDim("input height", h, inputShape);
        requireDim("input width", w, inputShape);
        if (c != inChannels) {
            throw new IllegalArgumentException("input channels " + c + " (shape " + ConvTransposeGeometry.format(inputShape)
                    + ") != spec inChannels " + inChannels);
        }
        if (oneDimensional && h != 1) {
            throw new IllegalArgumentException("input height " + h + " must be 1 for a 1-D spec");
        }
        ConvTransposeGeometry g = new ConvTransposeGeometry(this, (int) n, height.resolve((int) h, autoPad, "height"),
                width.resolve((int) w, autoPad, "width"), rank);
        try {
            Math.multiplyExact(g.inputCount(), Float.BYTES);
            Math.multiplyExact(g.outputCount(), Float.BYTES);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("input " + ConvTransposeGeometry.format(g.inputShape()) + " or output "
                    + ConvTransposeGeometry.format(g.outputShape()) + " exceeds " + Long.MAX_VALUE + " bytes", e);
        }
        return g;
    }

    private static void requireDim(String name, long value, long[] shape) {
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " " + value + " (shape " + ConvTransposeGeometry.format(shape)
                    + ") must be in [1, " + Integer.MAX_VALUE + "]");
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ConvTransposeSpec[");
        s.append(inChannels).append("->").append(outChannels);
        if (oneDimensional) {
            s.append(", 1-D, k=").append(width.kernel).append(", s=").append(width.stride)
                    .append(", pads=").append(width.padBegin).append(',').append(width.padEnd)
                    .append(", op=").append(width.outputPadding).append(", d=").append(width.dilation);
        } else {
            s.append(", k=").append(height.kernel).append('x').append(width.kernel)
                    .append(", s=").append(height.stride).append('x').append(width.stride)
                    .append(", pads(t,l,b,r)=").append(height.padBegin).append(',').append(width.padBegin)
                    .append(',').append(height.padEnd).append(',').append(width.padEnd)
                    .append(", op=").append(height.outputPadding).append('x').append(width.outputPadding)
                    .append(", d=").append(height.dilation).append('x').append(width.dilation);
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (autoPad != AutoPad.NOTSET) {
            s.append(", auto_pad=").append(autoPad);
        }
        if (width.requestedOut >= 0) {
            s.append(", output_shape=")
                    .append(oneDimensional ? String.valueOf(width.requestedOut) : height.requestedOut + "x" + width.requestedOut);
        }
        return s.append(bias ? ", bias" : ", no bias").append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTransposeSpec s && inChannels == s.inChannels && outChannels == s.outChannels
                && groups == s.groups && bias == s.bias && oneDimensional == s.oneDimensional
                && autoPad == s.autoPad && height.equals(s.height) && width.equals(s.width);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inChannels, outChannels, groups, bias, oneDimensional, autoPad, height, width);
    }

    /** One axis's parameters as given; {@link #resolve} turns them into an output size and a crop. */
    private record AxisRule(int kernel, int stride, int dilation, int padBegin, int padEnd, int outputPadding,
            int requestedOut) {

        ConvTransposeGeometry.Axis resolve(int in, AutoPad autoPad, String axisName) {
            long extent = (long) dilation * (kernel - 1) + 1;
            long natural = (long) (in - 1) * stride + extent + outputPadding;
            long out;
            long begin;
            if (requestedOut >= 0 || autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
                // ONNX operator spec: total padding from the wanted size, split head/tail by auto_pad.
                // The total may be negative (a wanted size above the natural one): the output then
                // extends past the full result on both sides, and those elements hold the bias only.
                out = requestedOut >= 0 ? requestedOut : (long) in * stride;
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
     * Builds a {@link ConvTransposeSpec}. Per-axis setters take one value (both axes; the width
     * only for a 1-D spec) or a height and a width.
     */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final boolean oneDimensional;
        private final int[] kernel;
        private final int[] stride = {1, 1};
        private final int[] dilation = {1, 1};
        private final int[] padBegin = {0, 0};
        private final int[] padEnd = {0, 0};
        private final int[] outputPadding = {0, 0};
        private final int[] requestedOut = {-1, -1};
        private boolean explicitPads;
        private boolean outputShapeGiven;
        private int groups = 1;
        private boolean bias = true;
        private AutoPad autoPad = AutoPad.NOTSET;

        private Builder(int inChannels, int outChannels, int kernelH, int kernelW, boolean oneDimensional) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = new int[] {kernelH, kernelW};
            this.oneDimensional = oneDimensional;
        }

        private void set(int[] target, String name, int... values) {
            if (values.length == 1) {
                if (!oneDimensional) {
                    target[0] = values[0];
                }
                target[1] = values[0];
            } else if (values.length == 2) {
                if (oneDimensional) {
                    throw new IllegalArgumentException(name + " takes one value for a 1-D spec, got "
                            + values[0] + "," + values[1]);
                }
                target[0] = values[0];
                target[1] = values[1];
            } else {
                throw new IllegalArgumentException(name + " takes one value or (height, width), got "
                        + values.length + " values");
            }
        }

        /**
         * Sets the stride (default 1).
         *
         * @param s stride, one value or (height, width); at least 1
         * @return this builder
         */
        public Builder stride(int... s) {
            set(stride, "stride", s);
            return this;
        }

        /**
         * Sets the dilation: the spacing of kernel taps (default 1).
         *
         * @param d dilation, one value or (height, width); at least 1
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
         * @param p padding, one value or (height, width); at least 0
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
         * {@code (top, left, bottom, right)}, or {@code (left, right)} for a 1-D spec.
         *
         * @param pads the pads; each at least 0
         * @return this builder
         */
        public Builder pads(int... pads) {
            int axes = oneDimensional ? 1 : 2;
            if (pads.length != 2 * axes) {
                throw new IllegalArgumentException("pads takes " + 2 * axes + " values (begins, then ends) for a "
                        + (oneDimensional ? "1-D" : "2-D") + " spec, got " + pads.length);
            }
            for (int a = 0; a < axes; a++) {
                int axis = oneDimensional ? 1 : a;
                padBegin[axis] = pads[a];
                padEnd[axis] = pads[a + axes];
            }
            explicitPads = true;
            return this;
        }

        /**
         * Sets the output padding (default 0).
         *
         * @param op extra output rows/columns at the bottom/right, one value or (height, width);
         *     at least 0 and smaller than the stride or the dilation of its axis
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
         * @param size one value (1-D) or (height, width); each at least 1
         * @return this builder
         */
        public Builder outputShape(int... size) {
            if (size.length != (oneDimensional ? 1 : 2)) {
                throw new IllegalArgumentException("output_shape takes " + (oneDimensional ? "1 value" : "2 values (height, width)")
                        + " for a " + (oneDimensional ? "1-D" : "2-D") + " spec, got " + size.length);
            }
            set(requestedOut, "output_shape", size);
            if (oneDimensional) {
                requestedOut[0] = -1;
            }
            outputShapeGiven = true;
            return this;
        }

        private AxisRule axisRule(int axis, String axisName) {
            if (oneDimensional && axis == 0) {
                return new AxisRule(1, 1, 1, 0, 0, 0, -1);
            }
            return new AxisRule(kernel[axis], stride[axis], dilation[axis], padBegin[axis], padEnd[axis],
                    outputPadding[axis], requestedOut[axis]);
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
                throw new IllegalArgumentException("output_shape " + (oneDimensional ? String.valueOf(requestedOut[1])
                        : requestedOut[0] + "," + requestedOut[1]) + " cannot be combined with explicit pads/padding "
                        + padBegin[0] + "," + padBegin[1] + "," + padEnd[0] + "," + padEnd[1]
                        + ": padding is derived from output_shape");
            }
            String[] axes = oneDimensional ? new String[] {null, "W"} : new String[] {"H", "W"};
            for (int a = 0; a < 2; a++) {
                if (axes[a] == null) {
                    continue;
                }
                String suffix = oneDimensional ? "" : " (" + axes[a] + ")";
                positive("kernel" + suffix, kernel[a]);
                positive("stride" + suffix, stride[a]);
                positive("dilation" + suffix, dilation[a]);
                nonNegative("padding" + (oneDimensional ? "" : " (" + axes[a] + " begin)"), padBegin[a]);
                nonNegative("padding" + (oneDimensional ? "" : " (" + axes[a] + " end)"), padEnd[a]);
                nonNegative("output_padding" + suffix, outputPadding[a]);
                if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                    throw new IllegalArgumentException("output_padding" + suffix + " " + outputPadding[a]
                            + " must be smaller than stride " + stride[a] + " or dilation " + dilation[a]);
                }
                if (outputShapeGiven) {
                    positive("output_shape" + suffix, requestedOut[a]);
                }
            }
            try {
                Math.multiplyExact(weightCount(inChannels, outChannels / groups, kernel[0], kernel[1]), Float.BYTES);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("weights of " + inChannels + " x " + outChannels / groups + " x "
                        + kernel[0] + " x " + kernel[1] + " floats (inChannels x outChannels/groups x kernel) exceed "
                        + Long.MAX_VALUE + " bytes", e);
            }
            return new ConvTransposeSpec(this);
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
