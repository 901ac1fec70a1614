package dev.convt.testing;

import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The builder calls that make a spec, as data, so that a failure prints them in the order they
 * were made. {@link RandomCase} draws valid ones; {@link #recipes} draws hostile ones, whose
 * parameters come for example from {@link #interestingInts()}: anything an {@code int} can hold,
 * weighted towards the edges where arithmetic breaks.
 *
 * @param spatialRank 1, 2 or 3: the builder is {@link ConvTransposeSpec#builder1d},
 *     {@link ConvTransposeSpec#builder} or {@link ConvTransposeSpec#builder3d}
 * @param inChannels Cin
 * @param outChannels Cout
 * @param kernelD kernel depth (used in 3-D only)
 * @param kernelH kernel height (ignored for 1-D)
 * @param kernelW kernel width
 * @param calls setter calls, applied in order
 */
public record SpecRecipe(int spatialRank, int inChannels, int outChannels, int kernelD, int kernelH, int kernelW,
        List<Call> calls) {

    /** One builder call. */
    public sealed interface Call {
        /** @param b the builder to call */
        void apply(ConvTransposeSpec.Builder b);
    }

    /** {@code stride(...)}. */
    public record Stride(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.stride(values);
        }

        @Override
        public String toString() {
            return "stride" + Arrays.toString(values);
        }
    }

    /** {@code dilation(...)}. */
    public record Dilation(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.dilation(values);
        }

        @Override
        public String toString() {
            return "dilation" + Arrays.toString(values);
        }
    }

    /** {@code padding(...)}. */
    public record Padding(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.padding(values);
        }

        @Override
        public String toString() {
            return "padding" + Arrays.toString(values);
        }
    }

    /** {@code pads(...)}. */
    public record Pads(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.pads(values);
        }

        @Override
        public String toString() {
            return "pads" + Arrays.toString(values);
        }
    }

    /** {@code outputPadding(...)}. */
    public record OutputPadding(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.outputPadding(values);
        }

        @Override
        public String toString() {
            return "outputPadding" + Arrays.toString(values);
        }
    }

    /** {@code outputShape(...)}. */
    public record OutputShape(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.outputShape(values);
        }

        @Override
        public String toString() {
            return "outputShape" + Arrays.toString(values);
        }
    }

    /** {@code groups(...)}. */
    public record Groups(int groups) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.groups(groups);
        }
    }

    /** {@code bias(...)}. */
    public record Bias(boolean on) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.bias(on);
        }
    }

    /** {@code autoPad(...)}. */
    public record AutoPad(ConvTransposeSpec.AutoPad mode) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.autoPad(mode);
        }
    }

    /**
     * Runs the calls; the builder's own checks may throw at any of them or at {@code build()}.
     *
     * @return the spec
     */
    public ConvTransposeSpec build() {
        ConvTransposeSpec.Builder b = switch (spatialRank) {
            case 1 -> ConvTransposeSpec.builder1d(inChannels, outChannels, kernelW);
            case 2 -> ConvTransposeSpec.builder(inChannels, outChannels, kernelH, kernelW);
            default -> ConvTransposeSpec.builder3d(inChannels, outChannels, kernelD, kernelH, kernelW);
        };
        for (Call c : calls) {
            c.apply(b);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return (switch (spatialRank) {
            case 1 -> "builder1d(" + inChannels + ", " + outChannels + ", " + kernelW + ")";
            case 2 -> "builder(" + inChannels + ", " + outChannels + ", " + kernelH + ", " + kernelW + ")";
            default -> "builder3d(" + inChannels + ", " + outChannels + ", " + kernelD + ", " + kernelH + ", " + kernelW
                    + ")";
        }) + calls.stream().map(c -> "." + c).collect(Collectors.joining()) + ".build()";
    }

    private static final int[] EDGES = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -65536, -2, -1, 0, 1, 2, 3, 4, 15, 16, 17, 31,
        32, 33, 64, 255, 65535, 65536, 65537, 46341, 1 << 20, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    /**
     * Any int, mostly small and valid, otherwise at an edge where arithmetic breaks: most specs
     * then build and reach the geometry, and every rule still meets hostile values.
     *
     * @return the generator
     */
    public static Gen<Integer> interestingInts() {
        return s -> switch (s.weighted(12, 2, 2, 1)) {
            case 0 -> s.between(1, 5);
            case 1 -> s.between(-1, 9);
            case 2 -> s.pickInt(EDGES);
            default -> s.anyInt();
        };
    }

    /** Groups that often divide small channel counts. */
    private static Gen<Integer> groups(Gen<Integer> channels) {
        return s -> s.weighted(3, 1) == 0 ? s.pickInt(1, 2, 3) : channels.draw(s);
    }

    /**
     * One value, one per axis of a spec of {@code spatialRank} (two for 1-D, which then must be
     * rejected), or rarely a wrong number of values.
     */
    private static Gen<int[]> perAxis(int spatialRank, Gen<Integer> values) {
        int axes = Math.max(spatialRank, 2);
        return s -> switch (s.weighted(4, 4, 1)) {
            case 0 -> new int[] {values.draw(s)};
            case 1 -> s.ints(axes, axes, values);
            default -> s.ints(0, 5, values);
        };
    }

    /**
     * Recipes of 1-D, 2-D and 3-D specs whose strides are drawn from {@code strides}, other
     * spatial parameters (dilation, kernel, pads, output padding and output_shape) from
     * {@code spatial}, and channels and groups from {@code channels}.
     *
     * @param channels draws channel counts and groups
     * @param strides draws strides
     * @param spatial draws the other spatial parameters
     * @return the generator
     */
    public static Gen<SpecRecipe> recipes(Gen<Integer> channels, Gen<Integer> strides, Gen<Integer> spatial) {
        return s -> {
            int rank = 1 + s.weighted(2, 2, 1);
            Gen<int[]> perAxis = perAxis(rank, spatial);
            // ONNX pads: begins and ends of two axes (1-D and 2-D) or three (3-D).
            int pairs = Math.max(rank, 2);
            Gen<int[]> pads = t -> switch (t.weighted(2, 4, 1)) {
                case 0 -> new int[] {spatial.draw(t), spatial.draw(t)};
                case 1 -> t.ints(2 * pairs, 2 * pairs, spatial);
                default -> t.ints(0, 6, spatial);
            };
            Gen<Call> call = t -> switch (t.nextInt(9)) {
                case 0 -> new Stride(perAxis(rank, strides).draw(t));
                case 1 -> new Dilation(perAxis.draw(t));
                case 2 -> new Padding(perAxis.draw(t));
                case 3 -> new Pads(pads.draw(t));
                case 4 -> new OutputPadding(perAxis.draw(t));
                case 5 -> new OutputShape(perAxis.draw(t));
                case 6 -> new Groups(groups(channels).draw(t));
                case 7 -> new Bias(t.nextBoolean());
                default -> new AutoPad(t.pick(ConvTransposeSpec.AutoPad.values()));
            };
            int in = channels.draw(s);
            int out = channels.draw(s);
            int kernelD = rank == 3 ? spatial.draw(s) : 1;
            int kernelH = spatial.draw(s);
            return new SpecRecipe(rank, in, out, kernelD, kernelH, spatial.draw(s), s.list(0, 4, call));
        };
    }
}
