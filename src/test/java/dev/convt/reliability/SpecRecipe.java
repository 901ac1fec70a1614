package dev.convt.reliability;

import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The builder calls that make a spec, as data: jqwik draws and shrinks them, and a failure
 * prints them in the order they were made. Parameters come from {@link #interestingInts()}:
 * anything an {@code int} can hold, weighted towards the edges where arithmetic breaks.
 *
 * @param oneDimensional whether the builder is {@link ConvTransposeSpec#builder1d}
 * @param inChannels Cin
 * @param outChannels Cout
 * @param kernelH kernel height (ignored for 1-D)
 * @param kernelW kernel width
 * @param calls setter calls, applied in order
 */
record SpecRecipe(boolean oneDimensional, int inChannels, int outChannels, int kernelH, int kernelW, List<Call> calls) {

    /** One builder call. */
    sealed interface Call {
        void apply(ConvTransposeSpec.Builder b);
    }

    record Stride(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.stride(values);
        }

        @Override
        public String toString() {
            return "stride" + Arrays.toString(values);
        }
    }

    record Dilation(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.dilation(values);
        }

        @Override
        public String toString() {
            return "dilation" + Arrays.toString(values);
        }
    }

    record Padding(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.padding(values);
        }

        @Override
        public String toString() {
            return "padding" + Arrays.toString(values);
        }
    }

    record Pads(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.pads(values);
        }

        @Override
        public String toString() {
            return "pads" + Arrays.toString(values);
        }
    }

    record OutputPadding(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.outputPadding(values);
        }

        @Override
        public String toString() {
            return "outputPadding" + Arrays.toString(values);
        }
    }

    record OutputShape(int... values) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.outputShape(values);
        }

        @Override
        public String toString() {
            return "outputShape" + Arrays.toString(values);
        }
    }

    record Groups(int groups) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.groups(groups);
        }
    }

    record Bias(boolean on) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.bias(on);
        }
    }

    record AutoPad(ConvTransposeSpec.AutoPad mode) implements Call {
        public void apply(ConvTransposeSpec.Builder b) {
            b.autoPad(mode);
        }
    }

    /** Runs the calls; the builder's own checks may throw at any of them or at {@code build()}. */
    ConvTransposeSpec build() {
        ConvTransposeSpec.Builder b = oneDimensional ? ConvTransposeSpec.builder1d(inChannels, outChannels, kernelW)
                : ConvTransposeSpec.builder(inChannels, outChannels, kernelH, kernelW);
        for (Call c : calls) {
            c.apply(b);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return (oneDimensional ? "builder1d(" + inChannels + ", " + outChannels + ", " + kernelW + ")"
                : "builder(" + inChannels + ", " + outChannels + ", " + kernelH + ", " + kernelW + ")")
                + calls.stream().map(c -> "." + c).collect(Collectors.joining()) + ".build()";
    }

    static final int[] EDGES = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -65536, -2, -1, 0, 1, 2, 3, 4, 15, 16, 17, 31, 32,
        33, 64, 255, 65535, 65536, 65537, 46341, 1 << 20, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    /**
     * Any int, mostly small and valid, otherwise at an edge where arithmetic breaks: most specs
     * then build and reach the geometry, and every rule still meets hostile values.
     */
    static Arbitrary<Integer> interestingInts() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, Arbitraries.integers().between(1, 5)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(-1, 9)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(Arrays.stream(EDGES).boxed().toList())),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
    }

    /** Groups that often divide small channel counts. */
    private static Arbitrary<Integer> groups(Arbitrary<Integer> channels) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.of(1, 2, 3)), net.jqwik.api.Tuple.of(1, channels));
    }

    /** One value, (height, width), or rarely a wrong number of values. */
    private static Arbitrary<int[]> pairs(Arbitrary<Integer> values) {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, values.map(v -> new int[] {v})),
                net.jqwik.api.Tuple.of(4, Combinators.combine(values, values).as((a, b) -> new int[] {a, b})),
                net.jqwik.api.Tuple.of(1, values.array(int[].class).ofMaxSize(5)));
    }

    /**
     * Recipes whose strides are drawn from {@code strides}, other spatial parameters (dilation,
     * kernel, pads, output padding and output_shape) from {@code spatial}, and channels and groups
     * from {@code channels}.
     */
    static Arbitrary<SpecRecipe> recipes(Arbitrary<Integer> channels, Arbitrary<Integer> strides, Arbitrary<Integer> spatial) {
        Arbitrary<int[]> pair = pairs(spatial);
        Arbitrary<int[]> pads = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Combinators.combine(spatial, spatial).as((a, b) -> new int[] {a, b})),
                net.jqwik.api.Tuple.of(4, spatial.array(int[].class).ofSize(4)),
                net.jqwik.api.Tuple.of(1, spatial.array(int[].class).ofMaxSize(6)));
        Arbitrary<Call> call = Arbitraries.oneOf(pairs(strides).map(Stride::new), pair.map(Dilation::new), pair.map(Padding::new),
                pads.map(Pads::new), pair.map(OutputPadding::new), pair.map(OutputShape::new), groups(channels).map(Groups::new),
                Arbitraries.of(true, false).map(Bias::new), Arbitraries.of(ConvTransposeSpec.AutoPad.class).map(AutoPad::new));
        return Combinators.combine(Arbitraries.of(true, false), channels, channels, spatial, spatial, call.list().ofMaxSize(4))
                .as(SpecRecipe::new);
    }
}
