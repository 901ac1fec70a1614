package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.math.BigInteger;
import dev.convt.testing.Gen;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.SpecRecipe;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link ConvTransposeSpec.Builder} and {@link ConvTransposeSpec#geometry} with arbitrary
 * ints and longs. Every rejection must be an {@link IllegalArgumentException} with a message;
 * every acceptance must be right: the rules the builder documents hold for the spec, and the
 * geometry matches output sizes and crops computed here independently, in exact arithmetic, from
 * the PyTorch and ONNX formulas.
 */
class SpecGeometryFuzzTest {

    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger FLOAT_BYTES = BigInteger.valueOf(Float.BYTES);
    /** The height of a 1-D spec on a rank-4 input: one row. */
    private static final ConvTransposeSpec.AxisRule ONE_ROW = new ConvTransposeSpec.AxisRule(1, 1, 1, 0, 0, 0, -1);

    private static final Gen<SpecRecipe> RECIPES = SpecRecipe.recipes(SpecRecipe.interestingInts(),
            SpecRecipe.interestingInts(), SpecRecipe.interestingInts());

    /** Shapes for a spec of {@code spatialRank} axes: mostly of its input rank (rank 4 for 1-D), sometimes another. */
    private static Gen<long[]> shapes(int spatialRank) {
        Gen<Long> dim = t -> switch (t.weighted(20, 3, 1)) {
            case 0 -> t.between(1L, 9L);
            case 1 -> t.pickLong(Long.MIN_VALUE, -1L, 0L, 16L, 65536L, (long) Integer.MAX_VALUE, 1L + Integer.MAX_VALUE, Long.MAX_VALUE);
            default -> t.anyLong();
        };
        int rank = 2 + Math.max(spatialRank, 2);
        return s -> switch (s.weighted(6, 3, 1)) {
            case 0 -> s.longs(rank, rank, dim);
            case 1 -> s.longs(3, 3, dim);
            default -> s.longs(0, 6, dim);
        };
    }

    /** A recipe, an input shape, and whether to fit the shape's channels (and 1-D height) to the spec. */
    private record GeometryTry(SpecRecipe recipe, long[] shape, boolean fitted) {
        @Override
        public String toString() {
            return recipe + ".geometry(" + Arrays.toString(shape) + ")" + (fitted ? " fitted" : "");
        }
    }

    private static ConvTransposeSpec buildOrNull(SpecRecipe recipe) {
        try {
            return recipe.build();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), recipe + ": rejection without a message");
            return null;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(recipe + " threw an undocumented " + e, e);
        }
    }

    @Test
    void specIsBuiltWithItsRulesOrRejected() {
        Map<String, Long> outcomes = PropertyCheck.forAll(RECIPES).collect(r -> r.spatialRank() + "-D " + specFollowsItsRules(r));
        for (int rank = 1; rank <= 3; rank++) {
            assertTrue(PropertyCheck.percent(outcomes, rank + "-D built") > 2, "too few " + rank + "-D specs built: " + outcomes);
        }
    }

    private static String specFollowsItsRules(SpecRecipe recipe) {
        ConvTransposeSpec s = buildOrNull(recipe);
        if (s == null) {
            return "rejected";
        }
        String at = recipe + " -> " + s;
        assertTrue(s.inChannels() >= 1 && s.outChannels() >= 1 && s.groups() >= 1, at);
        assertEquals(0, s.inChannels() % s.groups(), at);
        assertEquals(0, s.outChannels() % s.groups(), at);
        int[][] axes = {
            {s.kernelH(), s.strideH(), s.dilationH(), s.padTop(), s.padBottom(), s.outputPaddingH()},
            {s.kernelW(), s.strideW(), s.dilationW(), s.padLeft(), s.padRight(), s.outputPaddingW()}};
        for (int[] a : axes) {
            assertAxisRules(a, at);
        }
        if (s.isOneDimensional()) {
            assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0}, axes[0], at + ": a 1-D spec's height axis is trivial");
        }
        int rank = recipe.spatialRank();
        assertEquals(rank, s.spatialRank(), at);
        assertEquals(expectedRules(recipe), s.axes(), at + ": the axes the calls set, in tensor order");
        for (ConvTransposeSpec.AxisRule r : s.axes()) {
            assertAxisRules(new int[] {r.kernel(), r.stride(), r.dilation(), r.padBegin(), r.padEnd(), r.outputPadding()}, at);
        }
        // The height and width getters are the last two axes (the last one for 1-D).
        ConvTransposeSpec.AxisRule last = s.axes().get(rank - 1);
        assertArrayEquals(new int[] {last.kernel(), last.stride(), last.dilation(), last.padBegin(), last.padEnd(),
            last.outputPadding()}, axes[1], at);
        if (rank > 1) {
            ConvTransposeSpec.AxisRule h = s.axes().get(rank - 2);
            assertArrayEquals(new int[] {h.kernel(), h.stride(), h.dilation(), h.padBegin(), h.padEnd(), h.outputPadding()},
                    axes[0], at);
        }
        int[] kernel = rank == 3 ? new int[] {recipe.kernelD(), recipe.kernelH(), recipe.kernelW()}
                : rank == 2 ? new int[] {recipe.kernelH(), recipe.kernelW()} : new int[] {recipe.kernelW()};
        long[] weightShape = new long[2 + rank];
        weightShape[0] = s.inChannels();
        weightShape[1] = s.outChannels() / s.groups();
        BigInteger weights = BigInteger.valueOf(weightShape[0]).multiply(BigInteger.valueOf(weightShape[1]));
        for (int a = 0; a < rank; a++) {
            weightShape[2 + a] = kernel[a];
            weights = weights.multiply(BigInteger.valueOf(kernel[a]));
        }
        assertArrayEquals(weightShape, s.weightShape(), at);
        assertTrue(weights.multiply(FLOAT_BYTES).compareTo(LONG_MAX) <= 0, at + ": weights beyond Long.MAX_VALUE bytes");
        assertEquals(weights.longValueExact(), s.weightCount(), at);
        assertEquals(s, recipe.build(), "building the same calls twice gives equal specs");
        assertEquals(s.hashCode(), recipe.build().hashCode());
        return "built";
    }

    /**
     * The axes a recipe's calls set, worked out here from the builder's documentation: one value
     * sets every axis, else one per axis in tensor order; {@code pads} are all begins, then all
     * ends. Only for recipes that built, so every call had a valid number of values.
     */
    private static List<ConvTransposeSpec.AxisRule> expectedRules(SpecRecipe recipe) {
        int rank = recipe.spatialRank();
        int[][] v = new int[7][rank];
        int[] kernel = {recipe.kernelD(), recipe.kernelH(), recipe.kernelW()};
        for (int a = 0; a < rank; a++) {
            v[0][a] = kernel[3 - rank + a];
            v[1][a] = 1;
            v[2][a] = 1;
            v[6][a] = -1;
        }
        for (SpecRecipe.Call c : recipe.calls()) {
            switch (c) {
                case SpecRecipe.Stride x -> perAxis(v[1], x.values());
                case SpecRecipe.Dilation x -> perAxis(v[2], x.values());
                case SpecRecipe.Padding x -> {
                    perAxis(v[3], x.values());
                    perAxis(v[4], x.values());
                }
                case SpecRecipe.Pads x -> {
                    System.arraycopy(x.values(), 0, v[3], 0, rank);
                    System.arraycopy(x.values(), rank, v[4], 0, rank);
                }
                case SpecRecipe.OutputPadding x -> perAxis(v[5], x.values());
                case SpecRecipe.OutputShape x -> perAxis(v[6], x.values());
                case SpecRecipe.Groups _, SpecRecipe.Bias _, SpecRecipe.AutoPad _ -> { }
            }
        }
        ConvTransposeSpec.AxisRule[] rules = new ConvTransposeSpec.AxisRule[rank];
        for (int a = 0; a < rank; a++) {
            rules[a] = new ConvTransposeSpec.AxisRule(v[0][a], v[1][a], v[2][a], v[3][a], v[4][a], v[5][a], v[6][a]);
        }
        return List.of(rules);
    }

    private static void perAxis(int[] target, int[] values) {
        for (int a = 0; a < target.length; a++) {
            target[a] = values[values.length == 1 ? 0 : a];
        }
    }

    /** {@code a} is {@code {kernel, stride, dilation, pad begin, pad end, output padding}} of one axis. */
    private static void assertAxisRules(int[] a, String at) {
        assertTrue(a[0] >= 1 && a[1] >= 1 && a[2] >= 1, at);
        assertTrue(a[3] >= 0 && a[4] >= 0 && a[5] >= 0, at);
        assertTrue(a[5] < a[1] || a[5] < a[2], at + ": output padding must be below the stride or the dilation");
    }

    @Test
    void geometryIsResolvedExactlyOrRejected() {
        Map<String, Long> outcomes = PropertyCheck.forAll(s -> {
            SpecRecipe recipe = RECIPES.draw(s);
            return new GeometryTry(recipe, shapes(recipe.spatialRank()).draw(s), s.weighted(9, 1) == 0);
        }).collect(t -> t.recipe().spatialRank() + "-D "
                        + geometryIsExact(t.recipe(), t.shape().clone(), t.fitted()));
        long valid = 0;
        long invalid = 0;
        for (int rank = 1; rank <= 3; rank++) {
            valid += outcomes.getOrDefault(rank + "-D valid", 0L);
            invalid += outcomes.getOrDefault(rank + "-D invalid", 0L);
        }
        assertTrue(valid > (valid + invalid) / 5, "too few valid geometries: " + outcomes);
        assertTrue(PropertyCheck.percent(outcomes, "3-D valid") > 0.1, "too few valid 3-D geometries: " + outcomes);
    }

    private static String geometryIsExact(SpecRecipe recipe, long[] shape, boolean fitted) {
        ConvTransposeSpec s = buildOrNull(recipe);
        if (s == null) {
            return "spec rejected";
        }
        if (fitted && shape.length >= 2) {
            shape[1] = s.inChannels();
            if (s.isOneDimensional() && shape.length == 4) {
                shape[2] = 1;
            }
        }
        String at = recipe + ".geometry(" + Arrays.toString(shape) + ")";
        String expectedFailure = expectedFailure(s, shape);
        ConvTransposeGeometry g;
        try {
            g = s.geometry(shape);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), at + ": rejection without a message");
            if (expectedFailure == null) {
                fail(at + " was rejected (" + e.getMessage() + ") but is valid");
            }
            return "invalid";
        } catch (RuntimeException | Error e) {
            throw new AssertionError(at + " threw an undocumented " + e, e);
        }
        if (expectedFailure != null) {
            fail(at + " was accepted as " + g + " but " + expectedFailure);
        }
        int rank = shape.length;
        long[][] expected = spatialAxes(s, shape);
        assertEquals(rank - 2, g.axes().size(), at + ": spatial axes");
        long[] out = new long[rank];
        out[0] = shape[0];
        out[1] = s.outChannels();
        for (int a = 0; a < rank - 2; a++) {
            String axis = at + ": axis " + a + " of " + (rank - 2);
            assertEquals(expected[a][0], g.axes().get(a).out(), axis + ", output size");
            assertEquals(expected[a][1], g.axes().get(a).padBegin(), axis + ", crop at the start");
            out[2 + a] = expected[a][0];
        }
        assertEquals(expected[rank - 3][0], g.width().out(), at + ": output width");
        assertArrayEquals(out, g.outputShape(), at);
        assertArrayEquals(shape, g.inputShape(), at);
        BigInteger outputCount = Arrays.stream(out).mapToObj(BigInteger::valueOf).reduce(BigInteger.ONE, BigInteger::multiply);
        BigInteger inputCount = Arrays.stream(shape).mapToObj(BigInteger::valueOf).reduce(BigInteger.ONE, BigInteger::multiply);
        assertEquals(outputCount.longValueExact(), g.outputCount(), at);
        assertEquals(inputCount.longValueExact(), g.inputCount(), at);
        return "valid";
    }

    /** Why {@code shape} must be rejected, or null if the geometry must resolve. */
    static String expectedFailure(ConvTransposeSpec s, long[] shape) {
        int rank = shape.length;
        if (rank != 2 + s.spatialRank() && !(s.isOneDimensional() && rank == 4)) {
            return "rank " + rank + " does not fit";
        }
        for (int d = 0; d < rank; d++) {
            if (d != 1 && (shape[d] < 1 || shape[d] > Integer.MAX_VALUE)) {
                return "dimension " + d + " is out of [1, 2^31-1]";
            }
        }
        if (shape[1] != s.inChannels()) {
            return "channels differ";
        }
        if (s.isOneDimensional() && rank == 4 && shape[2] != 1) {
            return "a 1-D spec needs height 1";
        }
        long[][] axes = spatialAxes(s, shape);
        BigInteger inputBytes = BigInteger.valueOf(shape[0]).multiply(BigInteger.valueOf(s.inChannels())).multiply(FLOAT_BYTES);
        BigInteger outputBytes = BigInteger.valueOf(shape[0]).multiply(BigInteger.valueOf(s.outChannels())).multiply(FLOAT_BYTES);
        for (int a = 0; a < axes.length; a++) {
            if (axes[a] == null) {
                return "an output size is below 1, or it or its crop is beyond 2^31-1";
            }
            inputBytes = inputBytes.multiply(BigInteger.valueOf(shape[2 + a]));
            outputBytes = outputBytes.multiply(BigInteger.valueOf(axes[a][0]));
        }
        if (inputBytes.compareTo(LONG_MAX) > 0 || outputBytes.compareTo(LONG_MAX) > 0) {
            return "a tensor would exceed Long.MAX_VALUE bytes";
        }
        return null;
    }

    /**
     * {@link #axis} for each spatial axis of {@code shape}, in tensor order; a 1-D spec on a rank-4
     * shape has a trivial height axis (kernel, stride and dilation 1, no padding) first.
     */
    private static long[][] spatialAxes(ConvTransposeSpec s, long[] shape) {
        int n = shape.length - 2;
        List<ConvTransposeSpec.AxisRule> rules = s.axes();
        long[][] axes = new long[n][];
        for (int a = 0; a < n; a++) {
            ConvTransposeSpec.AxisRule r = n > rules.size() ? (a == 0 ? ONE_ROW : rules.get(a - 1)) : rules.get(a);
            axes[a] = axis(r.kernel(), r.stride(), r.dilation(), r.padBegin(), r.padEnd(), r.outputPadding(),
                    r.requestedOutput(), s.autoPad(), shape[2 + a]);
        }
        return axes;
    }

    /**
     * One axis by the ONNX operator spec (PyTorch's padding is its symmetric case), in exact
     * arithmetic: {@code {output size, crop at the start}}, or null if the size is below 1 or
     * either value does not fit an int.
     */
    static long[] axis(int kernel, int stride, int dilation, int padBegin, int padEnd, int outputPadding, int requested,
            ConvTransposeSpec.AutoPad autoPad, long in) {
        BigInteger natural = BigInteger.valueOf(in - 1).multiply(BigInteger.valueOf(stride))
                .add(BigInteger.valueOf(dilation).multiply(BigInteger.valueOf(kernel - 1L)))
                .add(BigInteger.ONE).add(BigInteger.valueOf(outputPadding));
        BigInteger out;
        BigInteger begin;
        boolean derived = requested >= 0 || autoPad == ConvTransposeSpec.AutoPad.SAME_UPPER
                || autoPad == ConvTransposeSpec.AutoPad.SAME_LOWER;
        if (derived) {
            out = requested >= 0 ? BigInteger.valueOf(requested) : BigInteger.valueOf(in).multiply(BigInteger.valueOf(stride));
            BigInteger total = natural.subtract(out);
            BigInteger half = floorHalf(total);
            begin = autoPad == ConvTransposeSpec.AutoPad.SAME_UPPER ? half : total.subtract(half);
        } else {
            out = natural.subtract(BigInteger.valueOf(padBegin)).subtract(BigInteger.valueOf(padEnd));
            begin = BigInteger.valueOf(padBegin);
        }
        if (out.signum() < 1 || out.compareTo(INT_MAX) > 0 || begin.abs().compareTo(INT_MAX) > 0) {
            return null;
        }
        return new long[] {out.longValueExact(), begin.longValueExact()};
    }

    private static BigInteger floorHalf(BigInteger v) {
        BigInteger[] qr = v.divideAndRemainder(BigInteger.TWO);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }
}
