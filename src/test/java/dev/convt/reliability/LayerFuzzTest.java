package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Gen;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.RandomCase;
import dev.convt.testing.RandomFloats;
import dev.convt.testing.SpecRecipe;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the layer's builder and {@code forward} with hostile 1-D, 2-D and 3-D specs, operands and tensors: wrong
 * weight and bias sizes, wrong output shapes and ranks, heap, read-only, overlapping, unaligned
 * and closed tensors, and inputs that do not fit the spec. The expected outcome of every try is
 * worked out here first: an invalid call must throw the documented exception
 * ({@link IllegalArgumentException}, or {@link IllegalStateException} for a closed arena), and a
 * valid one must succeed, match {@link DirectReference}, and give the same bits on another thread count.
 */
class LayerFuzzTest {

    /** Largest weight, input or output allocated for a try, in elements; beyond, only rejections are tried. */
    private static final long MAX_ELEMENTS = 1 << 16;
    private static final Watchdog RUNNER = new Watchdog("convt-layer-fuzz", Duration.ofSeconds(60));
    private static final Epilogue[] EPILOGUES = {Epilogue.NONE, Epilogue.relu(), Epilogue.leakyRelu(0.1f),
        Epilogue.clamp(-0.5f, 0.5f), Epilogue.sigmoid(), Epilogue.tanh()};

    enum WeightsGiven { ARRAY, SEGMENT, TENSOR, TENSOR_RANK_4_FOR_1D, ARRAY_ONE_SHORT, ARRAY_ONE_LONG, EMPTY, TENSOR_WRONG_SHAPE }

    /** {@code FITTING}: an array iff the spec has a bias. */
    enum BiasGiven { FITTING, NONE, ARRAY, TENSOR, ARRAY_WRONG_LENGTH }

    enum OutputGiven { FITTING, UNALIGNED, WRONG_SIZE, WRONG_RANK, HEAP, OVERLAPPING_INPUT, READ_ONLY, CLOSED_ARENA }

    /**
     * Everything but the spec that a try is made of.
     *
     * @param inputShape the input's shape (not necessarily fitting the spec)
     * @param fitted whether the input's channels (and a 1-D spec's height) are set to fit the spec
     * @param weights how the weights are given
     * @param bias how the bias is given
     * @param output what output tensor {@code forward} gets
     * @param epilogue index into {@link #EPILOGUES}
     * @param threads 1 for {@code forward(in, out)}, else {@code forward(in, out, threads)}
     * @param seed for the operand values
     */
    record Operands(long[] inputShape, boolean fitted, WeightsGiven weights, BiasGiven bias, OutputGiven output, int epilogue, int threads,
            long seed) {
        @Override
        public String toString() {
            return "Operands[input " + Arrays.toString(inputShape) + ", weights " + weights + ", bias " + bias + ", output "
                    + output + ", epilogue " + EPILOGUES[epilogue] + ", threads " + threads + ", seed " + seed + "]";
        }
    }

    @AfterAll
    static void stopRunner() {
        RUNNER.close();
    }

    private static final Gen<Integer> SMALL_CHANNELS = s -> switch (s.weighted(12, 1, 1)) {
        case 0 -> s.between(1, 6);
        case 1 -> s.pickInt(0, -1, 32, 33, 64);
        default -> SpecRecipe.interestingInts().draw(s);
    };

    /** Strides up to 64 per axis; larger ones are {@link #hugeParametersRejectOrCompute}'s. */
    private static final Gen<Integer> MODERATE_STRIDES = s -> s.weighted(12, 2) == 0 ? s.between(1, 5)
            : s.pickInt(-1, 0, 16, 17, 31, 32, 33, 64);

    /**
     * Kernel, dilation, pads and output_shape: mostly valid, sometimes hostile, but at most 2^16,
     * so that outputs stay below 2^22 columns; larger ones are {@link #hugeParametersRejectOrCompute}'s.
     */
    private static final Gen<Integer> MODERATE_SIZES = s -> switch (s.weighted(24, 2, 1)) {
        case 0 -> s.between(1, 4);
        case 1 -> s.between(-1, 9);
        default -> s.pickInt(Integer.MIN_VALUE, -65536, 15, 16, 17, 31, 32, 33, 255, 4096, 65535, 65536);
    };

    private static final Gen<SpecRecipe> SPECS = SpecRecipe.recipes(SMALL_CHANNELS, MODERATE_STRIDES, MODERATE_SIZES);

    /** Strides and sizes where the plans' int arithmetic and per-phase tables break, on small inputs. */
    private static final Gen<SpecRecipe> SPECS_WITH_HUGE_PARAMETERS;

    static {
        Gen<Integer> huge = s -> s.pickInt(4096, 46341, 65536, 100_000, 1 << 24, Integer.MAX_VALUE - 1);
        Gen<Integer> small = s -> s.between(1, 3);
        SPECS_WITH_HUGE_PARAMETERS = SpecRecipe.recipes(small, huge, s -> s.weighted(3, 1) == 0 ? small.draw(s) : huge.draw(s));
    }

    /** Operands for a spec of {@code spatialRank} axes: mostly of its input rank (rank 4 for 1-D), sometimes another. */
    private static Gen<Operands> operands(int spatialRank) {
        return s -> {
            Gen<Long> dim = t -> t.weighted(10, 1) == 0 ? t.between(1L, 7L) : t.pickLong(0L, -1L, 1L << 31);
            int rank = 2 + Math.max(spatialRank, 2);
            long[] shape = switch (s.weighted(6, 3, 1)) {
                case 0 -> s.longs(rank, rank, dim);
                case 1 -> s.longs(3, 3, dim);
                default -> s.longs(0, 6, dim);
            };
            boolean fitted = s.weighted(9, 1) == 0;
            WeightsGiven weights = s.weighted(6, 1) == 0 ? s.pick(WeightsGiven.ARRAY, WeightsGiven.SEGMENT, WeightsGiven.TENSOR,
                    WeightsGiven.TENSOR_RANK_4_FOR_1D) : s.pick(WeightsGiven.values());
            BiasGiven bias = s.weighted(6, 1) == 0 ? BiasGiven.FITTING : s.pick(BiasGiven.values());
            OutputGiven output = s.weighted(4, 1) == 0 ? s.pick(OutputGiven.FITTING, OutputGiven.UNALIGNED)
                    : s.pick(OutputGiven.values());
            return new Operands(shape, fitted, weights, bias, output, s.between(0, EPILOGUES.length - 1), s.pickInt(1, 1, 2, 3),
                    s.anyLong());
        };
    }

    /** A spec recipe and operands drawn for its rank. */
    private static Gen<Try> tries(Gen<SpecRecipe> specs) {
        return s -> {
            SpecRecipe recipe = specs.draw(s);
            return new Try(recipe, operands(recipe.spatialRank()).draw(s));
        };
    }

    private record Try(SpecRecipe recipe, Operands operands) {
        @Override
        public String toString() {
            return recipe + " " + operands;
        }
    }

    @Test
    void layerRejectsWhatIsInvalidAndComputesWhatIsValid() {
        Map<String, Long> outcomes = PropertyCheck.forAll(tries(SPECS)).collect(t -> t.recipe().spatialRank() + "-D "
                + RUNNER.call(t.toString(), () -> tryLayer(t.recipe(), t.operands())));
        double computed = PropertyCheck.percent(outcomes, "1-D computed") + PropertyCheck.percent(outcomes, "2-D computed")
                + PropertyCheck.percent(outcomes, "3-D computed");
        assertTrue(computed > 10, "too few valid calls computed: " + outcomes);
        assertTrue(PropertyCheck.percent(outcomes, "3-D computed") > 0.3, "too few valid 3-D calls computed: " + outcomes);
    }

    @Test
    void hugeParametersRejectOrCompute() {
        PropertyCheck.forAll(tries(SPECS_WITH_HUGE_PARAMETERS))
                .check(t -> RUNNER.call(t.toString(), () -> tryLayer(t.recipe(), t.operands())));
    }

    /** One try; returns what happened, for the statistics. */
    private static String tryLayer(SpecRecipe recipe, Operands o) {
        ConvTransposeSpec spec;
        try {
            spec = recipe.build();
        } catch (IllegalArgumentException e) {
            return "spec rejected";
        }
        String at = recipe + " -> " + spec + ", " + o;
        BigInteger weightCount = Arrays.stream(spec.weightShape()).mapToObj(BigInteger::valueOf)
                .reduce(BigInteger.ONE, BigInteger::multiply);
        if (weightCount.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
            expect(IllegalArgumentException.class, at + ": too few weights",
                    () -> ConvTransposeLayer.builder(spec).weights(new float[1]));
            return "weights too large to allocate";
        }
        Random random = new Random(o.seed());
        float[] w = RandomFloats.uniform(random, weightCount.intValueExact());
        float[] b = RandomFloats.uniform(random, spec.outChannels());
        boolean buildValid = switch (o.weights()) {
            case ARRAY, SEGMENT, TENSOR -> true;
            case TENSOR_RANK_4_FOR_1D -> spec.isOneDimensional();
            default -> false;
        } && switch (o.bias()) {
            case FITTING -> true;
            case NONE -> !spec.hasBias();
            case ARRAY, TENSOR -> spec.hasBias();
            case ARRAY_WRONG_LENGTH -> false;
        };
        try (Arena arena = Arena.ofShared()) {
            ConvTransposeLayer layer;
            try {
                layer = build(spec, o, w, b, arena);
            } catch (IllegalArgumentException e) {
                if (buildValid) {
                    fail(at + ": a valid layer was rejected: " + e.getMessage());
                }
                return "build rejected";
            } catch (RuntimeException | Error e) {
                throw new AssertionError(at + ": build threw an undocumented " + e, e);
            }
            if (!buildValid) {
                layer.close();
                fail(at + ": an invalid layer was built");
            }
            try (layer) {
                return forward(spec, layer, o, w, b, arena, at);
            }
        }
    }

    private static ConvTransposeLayer build(ConvTransposeSpec spec, Operands o, float[] w, float[] b, Arena arena) {
        ConvTransposeLayer.Builder builder = ConvTransposeLayer.builder(spec).epilogue(EPILOGUES[o.epilogue()]);
        long[] weightShape = spec.weightShape();
        switch (o.weights()) {
            case ARRAY -> builder.weights(w);
            case SEGMENT -> builder.weights(MemorySegment.ofArray(w));
            case TENSOR -> builder.weights(Tensor.of(arena, w, weightShape));
            case TENSOR_RANK_4_FOR_1D -> builder.weights(Tensor.of(arena, w, weightShape.length == 3
                    ? new long[] {weightShape[0], weightShape[1], 1, weightShape[2]} : mergedKernelAxes(weightShape)));
            case ARRAY_ONE_SHORT -> builder.weights(Arrays.copyOf(w, w.length - 1));
            case ARRAY_ONE_LONG -> builder.weights(Arrays.copyOf(w, w.length + 1));
            case EMPTY -> builder.weights(new float[0]);
            case TENSOR_WRONG_SHAPE -> builder.weights(Tensor.of(arena, w, w.length));
        }
        switch (o.bias()) {
            case FITTING -> {
                if (spec.hasBias()) {
                    builder.bias(b);
                }
            }
            case NONE -> { }
            case ARRAY -> builder.bias(b);
            case TENSOR -> builder.bias(Tensor.of(arena, b, b.length));
            case ARRAY_WRONG_LENGTH -> builder.bias(Arrays.copyOf(b, b.length + 1));
        }
        return builder.build();
    }

    /** The weight shape with its first two kernel axes as one: the right count, one rank too few. */
    private static long[] mergedKernelAxes(long[] weightShape) {
        long[] shape = new long[weightShape.length - 1];
        shape[0] = weightShape[0];
        shape[1] = weightShape[1];
        shape[2] = weightShape[2] * weightShape[3];
        System.arraycopy(weightShape, 4, shape, 3, weightShape.length - 4);
        return shape;
    }

    private static String forward(ConvTransposeSpec spec, ConvTransposeLayer layer, Operands o, float[] w, float[] b,
            Arena arena, String at) {
        long[] inShape = o.inputShape().clone();
        if (o.fitted() && inShape.length >= 2) {
            inShape[1] = spec.inChannels();
            if (spec.isOneDimensional() && inShape.length == 4) {
                inShape[2] = 1;
            }
        }
        String invalidInput = SpecGeometryFuzzTest.expectedFailure(spec, inShape);
        if (invalidInput != null) {
            expect(IllegalArgumentException.class, at + ": outputShape of an invalid input", () -> layer.outputShape(inShape));
            if (Arrays.stream(inShape).allMatch(d -> d >= 0 && d <= MAX_ELEMENTS)
                    && Arrays.stream(inShape).reduce(1, Math::multiplyExact) <= MAX_ELEMENTS) {
                Tensor x = Tensor.allocate(arena, inShape);
                Tensor y = Tensor.allocate(arena, 1, spec.outChannels(), 1, 1);
                expect(IllegalArgumentException.class, at + ": forward of an invalid input", () -> run(layer, x, y, o.threads()));
            }
            return "input rejected";
        }
        ConvTransposeGeometry g = spec.geometry(inShape);
        assertArrayEquals(g.outputShape(), layer.outputShape(inShape), at);
        Tensor x = Tensor.of(arena, RandomFloats.uniform(new Random(o.seed() + 1), (int) g.inputCount()), inShape);
        if (g.outputCount() > MAX_ELEMENTS) {
            Tensor y = Tensor.allocate(arena, 1, spec.outChannels(), 1, 1);
            expect(IllegalArgumentException.class, at + ": forward into a too small output", () -> run(layer, x, y, o.threads()));
            return "output too large to allocate";
        }
        long[] outShape = g.outputShape();
        long outBytes = g.outputCount() * Float.BYTES;
        Tensor y;
        switch (o.output()) {
            case FITTING -> y = Tensor.allocate(arena, outShape);
            case UNALIGNED -> y = Tensor.wrap(arena.allocate(outBytes + 1, Tensor.ALIGNMENT).asSlice(1), outShape);
            case WRONG_SIZE -> {
                long[] s = outShape.clone();
                s[s.length - 1]++;
                y = Tensor.allocate(arena, s);
            }
            case WRONG_RANK -> {
                long[] s = new long[outShape.length + 1];
                s[0] = 1;
                System.arraycopy(outShape, 0, s, 1, outShape.length);
                y = Tensor.allocate(arena, s);
            }
            case HEAP -> y = Tensor.wrap(MemorySegment.ofArray(new float[(int) g.outputCount()]), outShape);
            case OVERLAPPING_INPUT -> {
                long inBytes = x.segment().byteSize();
                MemorySegment both = arena.allocate(inBytes + outBytes + 4);
                both.copyFrom(x.segment());
                y = Tensor.wrap(both.asSlice(inBytes > 4 ? 4 : 0, outBytes), outShape);
                Tensor overlapped = Tensor.wrap(both.asSlice(0, inBytes), inShape);
                expect(IllegalArgumentException.class, at + ": overlapping tensors", () -> run(layer, overlapped, y, o.threads()));
                return "rejected as expected";
            }
            case READ_ONLY -> y = Tensor.wrap(Tensor.allocate(arena, outShape).segment().asReadOnly(), outShape);
            case CLOSED_ARENA -> {
                Arena gone = Arena.ofShared();
                y = Tensor.allocate(gone, outShape);
                gone.close();
                expect(IllegalStateException.class, at + ": output of a closed arena", () -> run(layer, x, y, o.threads()));
                return "rejected as expected";
            }
            default -> throw new IllegalStateException("unreachable: " + o.output());
        }
        if (o.output() != OutputGiven.FITTING && o.output() != OutputGiven.UNALIGNED) {
            expect(IllegalArgumentException.class, at + ": output " + o.output(), () -> run(layer, x, y, o.threads()));
            return "rejected as expected";
        }
        y.fill(RandomCase.UNWRITTEN);
        try {
            run(layer, x, y, o.threads());
        } catch (RuntimeException | Error e) {
            throw new AssertionError(at + ": forward of a valid call threw " + e, e);
        }
        float[] input = x.toArray();
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, input, w, spec.hasBias() ? b : null, null);
        RandomCase c = new RandomCase(spec, inShape, input, w, spec.hasBias() ? b : null, EPILOGUES[o.epilogue()], o.threads(),
                o.output() == OutputGiven.UNALIGNED ? 1 : 0, RandomCase.NO_SEED);
        float[] result = y.toArray();
        Tolerance.assertMatches(c, expected, result);
        // Any thread count gives the same bits: compare with the other entry point.
        int otherThreads = o.threads() == 1 ? 3 : 1;
        y.fill(RandomCase.UNWRITTEN);
        run(layer, x, y, otherThreads);
        Tolerance.assertBitwiseEqual(result, y.toArray(), at + " on " + otherThreads + " threads");
        return "computed";
    }

    private static void run(ConvTransposeLayer layer, Tensor x, Tensor y, int threads) {
        if (threads == 1) {
            layer.forward(x, y);
        } else {
            layer.forward(x, y, threads);
        }
    }

    /** Runs {@code action}, which must throw exactly {@code type} (or a subclass) with a message. */
    private static void expect(Class<? extends RuntimeException> type, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            if (type.isInstance(e) && e.getMessage() != null && !e.getMessage().isBlank()) {
                return;
            }
            throw new AssertionError(what + ": expected " + type.getSimpleName() + ", got " + e, e);
        } catch (Error e) {
            throw new AssertionError(what + ": expected " + type.getSimpleName() + ", got " + e, e);
        }
        fail(what + ": expected " + type.getSimpleName() + ", but nothing was thrown");
    }
}
