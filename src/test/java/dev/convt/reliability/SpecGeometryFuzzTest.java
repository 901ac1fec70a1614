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

    private static final Gen<SpecRecipe> RECIPES = SpecRecipe.recipes(SpecRecipe.interestingInts(),
            SpecRecipe.interestingInts(), SpecRecipe.interestingInts());

    private static final Gen<long[]> SHAPES = s -> {
        Gen<Long> dim = t -> switch (t.weighted(20, 3, 1)) {
            case 0 -> t.between(1L, 9L);
            case 1 -> t.pickLong(Long.MIN_VALUE, -1L, 0L, 16L, 65536L, (long) Integer.MAX_VALUE, 1L + Integer.MAX_VALUE, Long.MAX_VALUE);
            default -> t.anyLong();
        };
        return switch (s.weighted(6, 3, 1)) {
            case 0 -> s.longs(4, 4, dim);
            case 1 -> s.longs(3, 3, dim);
            default -> s.longs(0, 6, dim);
        };
    };

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
        Map<String, Long> outcomes = PropertyCheck.forAll(RECIPES).collect(SpecGeometryFuzzTest::specFollowsItsRules);
        assertTrue(PropertyCheck.percent(outcomes, "built") > 10, "too few specs built: " + outcomes);
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
            assertTrue(a[0] >= 1 && a[1] >= 1 && a[2] >= 1, at);
            assertTrue(a[3] >= 0 && a[4] >= 0 && a[5] >= 0, at);
            assertTrue(a[5] < a[1] || a[5] < a[2], at + ": output padding must be below the stride or the dilation");
        }
        if (s.isOneDimensional()) {
            assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0}, axes[0], at + ": a 1-D spec's height axis is trivial");
        }
        BigInteger weights = BigInteger.valueOf(s.inChannels()).multiply(BigInteger.valueOf(s.outChannels() / s.groups()))
                .multiply(BigInteger.valueOf(s.kernelH())).multiply(BigInteger.valueOf(s.kernelW()));
        assertTrue(weights.multiply(FLOAT_BYTES).compareTo(LONG_MAX) <= 0, at + ": weights beyond Long.MAX_VALUE bytes");
        assertEquals(weights.longValueExact(), s.weightCount(), at);
        assertEquals(s, recipe.build(), "building the same calls twice gives equal specs");
        assertEquals(s.hashCode(), recipe.build().hashCode());
        return "built";
    }

    @Test
    void geometryIsResolvedExactlyOrRejected() {
        Map<String, Long> outcomes = PropertyCheck.forAll(s -> new GeometryTry(RECIPES.draw(s), SHAPES.draw(s),
                s.weighted(9, 1) == 0)).collect(t -> geometryIsExact(t.recipe(), t.shape().clone(), t.fitted()));
        long valid = outcomes.getOrDefault("valid", 0L);
        long invalid = outcomes.getOrDefault("invalid", 0L);
        assertTrue(valid > (valid + invalid) / 5, "too few valid geometries: " + outcomes);
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
        long[] height = heightAxis(s, shape);
        long[] width = widthAxis(s, shape);
        assertEquals(height[0], g.height().out(), at + ": output height");
        assertEquals(height[1], g.height().padBegin(), at + ": crop at the top");
        assertEquals(width[0], g.width().out(), at + ": output width");
        assertEquals(width[1], g.width().padBegin(), at + ": crop at the left");
        long[] out = rank == 3 ? new long[] {shape[0], s.outChannels(), width[0]}
                : new long[] {shape[0], s.outChannels(), height[0], width[0]};
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
        if (rank != 4 && !(s.isOneDimensional() && rank == 3)) {
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
        long[] height = heightAxis(s, shape);
        long[] width = widthAxis(s, shape);
        for (long[] a : new long[][] {height, width}) {
            if (a == null) {
                return "an output size is below 1, or it or its crop is beyond 2^31-1";
            }
        }
        BigInteger batch = BigInteger.valueOf(shape[0]);
        BigInteger inputBytes = batch.multiply(BigInteger.valueOf(s.inChannels())).multiply(BigInteger.valueOf(rank == 4 ? shape[2] : 1))
                .multiply(BigInteger.valueOf(shape[rank - 1])).multiply(FLOAT_BYTES);
        BigInteger outputBytes = batch.multiply(BigInteger.valueOf(s.outChannels())).multiply(BigInteger.valueOf(height[0]))
                .multiply(BigInteger.valueOf(width[0])).multiply(FLOAT_BYTES);
        if (inputBytes.compareTo(LONG_MAX) > 0 || outputBytes.compareTo(LONG_MAX) > 0) {
            return "a tensor would exceed Long.MAX_VALUE bytes";
        }
        return null;
    }

    /** {@link #axis} for the height of {@code shape} (1 for a rank-3 shape). */
    private static long[] heightAxis(ConvTransposeSpec s, long[] shape) {
        return axis(s.kernelH(), s.strideH(), s.dilationH(), s.padTop(), s.padBottom(), s.outputPaddingH(),
                s.requestedOutputH(), s.autoPad(), shape.length == 4 ? shape[2] : 1);
    }

    /** {@link #axis} for the width of {@code shape}. */
    private static long[] widthAxis(ConvTransposeSpec s, long[] shape) {
        return axis(s.kernelW(), s.strideW(), s.dilationW(), s.padLeft(), s.padRight(), s.outputPaddingW(),
                s.requestedOutputW(), s.autoPad(), shape[shape.length - 1]);
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
